"""Reports built from bestofn result files.

`common.report.html.write_report` turns the numbers `inspect_experiment.summarize` computed (plus the
loaded rows, for the distributions it does not summarise) into one self-contained HTML file with
inline SVG plots (`common.report.plots`). The caller hands the data in: nothing here imports the
top-level `inspect_experiment` module, so the layers and the import graph stay acyclic.
"""
