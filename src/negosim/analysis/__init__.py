"""Analysis of outcome tables: summaries with intervals, reference points, the narrative of one world."""
