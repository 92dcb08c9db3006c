"""L2: raw tensor + autograd, convolution은 unfold + matmul로 직접."""
