"""Lab authoring kit.

`labkit.harness` runs INSIDE the sandbox next to the student's code and only produces outputs.
`labkit.checks` runs OUTSIDE the sandbox and turns outputs into verdicts; it never runs student code.
"""
