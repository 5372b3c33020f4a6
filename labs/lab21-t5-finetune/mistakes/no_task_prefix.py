"""Common mistake (lab 21): no task prefix on the source sentences."""
# overrides solution.py: only what differs from the reference solution is below

PREFIX = ""              # the sources go in bare: the model is never told which task to do
