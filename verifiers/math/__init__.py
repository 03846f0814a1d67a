"""Math verification: answer extraction, normalisation and comparison (verifier.py), run in batches by
worker processes (batch.py)."""

from verifiers.math import batch, verifier

# The verifier hands candidates to the batch pool, which runs the verifier's own code in its workers: the
# pool is wired in here, so neither module imports the other back.
verifier.use_batch_pools(batch.shared_batch_pool)
