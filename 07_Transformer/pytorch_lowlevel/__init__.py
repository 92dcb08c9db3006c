"""L2: scaled dot-product attention, multi-head attention, LayerNorm, positional encoding을 raw tensor로."""
