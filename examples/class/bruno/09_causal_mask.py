"""A máscara causal, e a máscara do decoder que também esconde o padding.

Aula 9 (atenção mascarada). No treinamento, o decoder lê a frase de destino
inteira de uma vez, mas a posição t tem de prever o token t+1 só com os tokens
0..t: em "O gato <?> feliz", a lacuna pode olhar para "O gato" e não para
"feliz". A máscara proíbe qualquer olhada para o futuro.

Tarefa
------
1. `causal_mask(T)`: um Tensor booleano de forma (T, T), True onde a query t
   pode prestar atenção à key s, ou seja, onde s <= t.
2. `decoder_mask(tgt, pad_id)`: para um batch de ids de destino (B, T), a
   máscara da autoatenção do decoder, de forma (B, 1, T, T): causal E a key não
   é padding. O eixo de tamanho 1 se expande sobre as cabeças.

A matemática
------------
    causal[t, s] = (s <= t)                      triângulo de baixo, com a diagonal
    decoder[b, 0, t, s] = causal[t, s] e tgt[b, s] != pad_id

Para T = 3:   [[T, F, F],
               [T, T, F],
               [T, T, T]]

Dicas
-----
- `np.tril` mantém o triângulo de baixo de uma matriz; `np.ones((T, T), dtype=bool)`.
- Máscaras são constantes, não fazem parte do grafo: construa-as sobre arrays
  do NumPy e depois embrulhe o resultado com `Tensor(array)`.
- `ids.numpy() != pad_id` é (B, T); dê reshape para (B, 1, 1, T) para que ele se
  expanda contra uma máscara causal (T, T) como keys (o último eixo).

Confira seu trabalho: python cli.py exercise check causal_mask
"""

import numpy as np

from tinygrad_tx import Tensor


def causal_mask(T: int) -> Tensor:
    """(T, T) booleans, True on and below the diagonal."""
    # Devolva Tensor(um array booleano (T, T) que é True onde a key s <= a query t).
    return Tensor(np.tril(np.ones((T, T), dtype=bool), k=-1))


def decoder_mask(tgt: Tensor, pad_id: int) -> Tensor:
    """(B, 1, T, T): causal, and False at padded keys."""
    # Combine causal_mask(T) com (tgt != pad_id) ao longo do eixo das keys.
    B, T = tgt.shape
    real = (tgt.numpy() != pad_id).reshape(B, 1, 1, T)
    return Tensor(real & causal_mask(T).numpy())
