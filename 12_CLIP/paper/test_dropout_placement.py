"""CLIP의 dropout은 두 tower의 attention 확률에만 있다 (HF `CLIPAttention`의 dropout; OpenAI 구현은 0). 하나만
켜면 (vision 또는 text) 학습 모드에서 그 tower의 feature만 달라진다."""
import pytest
import torch

from .clip import CLIP, CLIPConfig


def model(vision: float, text: float) -> CLIP:
    torch.manual_seed(0)
    net = CLIP(CLIPConfig(embed_dim=12, image_size=8, patch_size=4, vision_width=16, vision_layers=2, vision_heads=2,
                          vision_mlp=16, vocab_size=30, context_length=8, text_width=16, text_layers=2, text_heads=2,
                          text_mlp=16, eos_token_id=29, vision_attention_dropout=vision,
                          text_attention_dropout=text))
    with torch.no_grad():
        for p in net.parameters():
            if p.ndim == 2:
                p.normal_(0, 0.5)
    return net


def inputs():
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 29, (3, 8), generator=g)
    ids[:, -1] = 29
    return ids, torch.randn(3, 3, 8, 8, generator=g)


@pytest.mark.parametrize("tower", ["vision", "text"])
def test_attention_dropout_of_one_tower_changes_only_that_tower_in_training(tower):
    net = model(vision=0.5 if tower == "vision" else 0.0, text=0.5 if tower == "text" else 0.0)
    ids, px = inputs()
    with torch.no_grad():
        net.eval()
        clean_image, clean_text = net.encode_image(px), net.encode_text(ids)
        net.train()
        torch.manual_seed(0)
        image, text = net.encode_image(px), net.encode_text(ids)
    changed = {"vision": float((image - clean_image).abs().max()), "text": float((text - clean_text).abs().max())}
    other = "text" if tower == "vision" else "vision"
    assert changed[tower] > 1e-3, f"{tower} tower의 attention dropout이 쓰이지 않는다"
    assert changed[other] == 0.0
