"""03장: CNN (LeNet-5) — convolution을 손으로 쓰고 PyTorch와 맞춰 증명한다."""
