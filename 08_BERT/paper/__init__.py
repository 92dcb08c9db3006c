"""L3: Devlin et al. (2018) BERT (nn.Module), HF transformers BERT에서 가중치를 옮기는 from_reference."""
