"""L2: raw tensor + autograd로 쓴 VGG block과 손으로 쓴 Batch Normalization."""
