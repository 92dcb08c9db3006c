"""L4: torchvision·timm의 production ResNet 코드 읽기와 가중치 옮기기 (README.md가 읽기 안내서)."""
