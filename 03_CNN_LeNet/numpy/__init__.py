"""L1: NumPy로 손으로 쓴 convolution / pooling / LeNet-5."""
