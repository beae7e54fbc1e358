"""The engine: one Mesa model advancing many worlds, its agents, state, messages and outcomes.

Data flows one way: a :class:`~negosim.scenario.Scenario` is read into
:class:`~negosim.engine.params.ModelParams`; :class:`~negosim.engine.model.NegotiationModel`
runs the rounds; :func:`~negosim.engine.outcomes.outcome_table` gives a row per world.
"""
