"""L3: LeCun et al. (1998)의 LeNet-5를 nn.Module로 (faithful / modern)."""
