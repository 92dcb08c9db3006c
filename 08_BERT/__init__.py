"""08장: BERT — WordPiece, masked LM, next sentence prediction, 그리고 Hugging Face BERT와 같은 가중치로 증명."""
