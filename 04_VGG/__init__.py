"""04장: VGG — 3×3 convolution을 깊게 쌓고, Batch Normalization을 손으로 써서 증명한다."""
