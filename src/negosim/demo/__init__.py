"""The teaching demo: the levers and the one-world model, its pictures, the browser page, animations."""
