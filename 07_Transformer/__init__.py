"""07장: Transformer — attention을 손으로 쓰고, 2017년 encoder–decoder를 `torch.nn.Transformer`와 맞춰 증명한다."""
