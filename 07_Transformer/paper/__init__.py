"""L3: Vaswani et al. (2017) "Attention Is All You Need"의 encoder–decoder Transformer (nn.Module)."""
