"""Load benchmark of the marketplace against baselines and vanilla Oscar (make bench)."""
