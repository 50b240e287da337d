"""Storage classes of farm produce (储存方式) and which of them need the cold chain."""

AMBIENT, CHILLED, FROZEN = "常温", "冷藏", "冷冻"
STORAGE_OPTIONS = (AMBIENT, CHILLED, FROZEN)
COLD_CHAIN = frozenset({CHILLED, FROZEN})
