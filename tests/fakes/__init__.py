"""Protocol-faithful fake OpenAI / Anthropic servers for tests and benchmarks.

See `tests.fakes.launch.start_fake` to run one in a subprocess, and `tests.fakes.common`
for the control config schema (rules, failures, latency, auth, max_n).
"""
