"""Softmax como Function: escreva o forward e o backward dela.

Aula 6 (atenção como média ponderada). A atenção transforma scores em pesos
positivos que somam 1 com a softmax; o treinamento precisa do backward dela.

Tarefa
------
Complete `Softmax.forward` e `Softmax.backward`, sobre arrays.

- forward(x, axis) devolve y = softmax(x) ao longo de `axis` e guarda em `self`
  o que o backward precisa. Tem de funcionar para logits como [1000, 1001, 1002].
- backward(grad_out) devolve dL/dx para g = grad_out = dL/dy.

A matemática
------------
    y_i = e^(x_i) / Σ_j e^(x_j)

A softmax não muda quando se soma uma constante c a todo x_i (os e^c se
cancelam); então calcule-a a partir de x - max(x): todo expoente fica <= 0 e
nada estoura.

A jacobiana é dy_i/dx_j = y_i (δ_ij - y_j). Multiplicada pelo g que vem de cima:

    dL/dx_j = Σ_i g_i y_i (δ_ij - y_j) = y_j (g_j - Σ_i g_i y_i)

então o backward só precisa de y, nunca da jacobiana (n, n).

Dicas
-----
- `x.max(axis=axis, keepdims=True)` e `.sum(axis=axis, keepdims=True)` mantêm o
  eixo reduzido (com tamanho 1), para o resultado se expandir contra x.
- A soma Σ_i g_i y_i é feita ao longo de `axis`, um valor por linha.
- Um backward `g * y * (1 - y)` deriva cada y_i só pelo próprio x_i: esquece
  que cada y_i depende de todos os x_j.

Confira seu trabalho: python cli.py exercise check softmax
"""

from tinygrad_tx.backend import get_array_module
from tinygrad_tx.function import Function


class Softmax(Function):
    """y = softmax(x) along `axis`."""

    def forward(self, x, axis=-1):
        xp = get_array_module(x)
        self.axis = axis
        # Devolva softmax(x) ao longo de `axis`, calculada a partir de x - max(x);
        # guarde y em self.
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        self.y = e / e.sum(axis=axis, keepdims=True)
        return self.y

    def backward(self, grad_out):
        # Devolva dL/dx = y * (g - Σ g y), com a soma ao longo de self.axis.
        return grad_out * self.y * (1 - self.y)  # a derivada de y por x


def softmax(x, axis=-1):
    """softmax of a Tensor along `axis`, through your Function."""
    return Softmax.apply(x, axis=axis)
