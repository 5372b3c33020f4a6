"""Instructor dashboard, pacing and gradebook: cohort heatmap, at-risk students, lab and quiz statistics,
CSV export. Reads pre-computed per-student summaries (see summary.py) so pages stay fast at any size."""
