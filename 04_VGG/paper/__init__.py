"""L3: Simonyan & Zisserman (2015)의 VGG (A, B, D, E; BN 선택; ImageNet / CIFAR head)를 nn.Module로."""
