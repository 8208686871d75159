"""Every sentence the grader itself writes, in each of the course's languages.

The checks add their own (hints, what is being compared); these are the ones
about values, types, gradients and what happened to the student's process.
"""

from __future__ import annotations

from .i18n import Text

DIFFER = Text(
    "{what}: at index {index} got {got}, expected {want} "
    "({count} of {size} elements {differ})",
    "{what}: no índice {index} veio {got}, o esperado era {want} "
    "({count} de {size} elementos {differ})",
)
DIFFERS = Text("differs", "difere")  # one element
DIFFER_MANY = Text("differ", "diferem")
DIFFER_SCALAR = Text(
    "{what} is {got}, expected {want}",
    "{what} deu {got}, o esperado era {want}",
)
SHAPE = Text(
    "{what} has shape {got}, expected {want}",
    "{what} tem forma {got}, o esperado era {want}",
)
TYPE = Text(
    "{what} should be a {want}, got {got}",
    "{what} deveria ser {want}, mas veio {got}",
)
DTYPE = Text(
    "{what} has dtype {got}, expected {want}",
    "{what} tem dtype {got}, o esperado era {want}",
)
TENSOR_NOT_ARRAY = Text(
    "{what} should be a raw array (numpy.ndarray), got a Tensor: inside forward "
    "and backward, work on arrays, not Tensors",
    "{what} deveria ser um array (numpy.ndarray), mas veio um Tensor: dentro de "
    "forward e backward, trabalhe com arrays, não com Tensors",
)
COUNT = Text(
    "{what} should hold {want} values, got {got}",
    "{what} deveria ter {want} valores, mas veio {got}",
)
GRADIENT = Text(
    "the gradient of {name} is wrong at element {index}: expected {want}, got {got} "
    "({count} of {size} elements {differ})",
    "o gradiente de {name} está errado no elemento {index}: o esperado era {want}, "
    "veio {got} ({count} de {size} elementos {differ})",
)
STEP = Text(
    "step {step}: your code asked the model about {got}, expected {want} (None: no "
    "call at that step)",
    "passo {step}: seu código consultou o modelo sobre {got}, o esperado era {want} "
    "(None: nenhuma chamada nesse passo)",
)
GRADIENT_OF = Text("the gradient of {name}", "o gradiente de {name}")
GRADIENT_SHAPE = Text(
    "the gradient of {name} has shape {got}, expected {want} (the shape of {name})",
    "o gradiente de {name} tem forma {got}, o esperado era {want} (a forma de {name})",
)
NO_GRADIENT = Text(
    "no gradient reached {name} (its .grad is None)",
    "nenhum gradiente chegou a {name} (o .grad dele é None)",
)
NOT_DIFFERENTIABLE = Text(
    "{what} has no gradient: compute it from its inputs with Tensor operations "
    "(or a Function's apply), not through .numpy()",
    "{what} não tem gradiente: calcule o resultado a partir das entradas com "
    "operações de Tensor (ou com o apply de uma Function), não com .numpy()",
)
GRAD_OUT_CHANGED = Text(
    "{name}.backward changed grad_out in place (with *= or +=, for example); "
    "compute a new array instead: other operations may share it",
    "{name}.backward alterou grad_out no próprio lugar (com *= ou +=, por exemplo); "
    "crie um array novo: outras operações podem compartilhar esse grad_out",
)
GRAD_COUNT = Text(
    "{name}.backward returned {got} gradient(s) for {want} input(s); return one "
    "per input, as a tuple",
    "{name}.backward devolveu {got} gradiente(s) para {want} entrada(s); devolva "
    "um por entrada, numa tupla",
)
ARGUMENT_CHANGED = Text(
    "{what} changed its argument {name} in place; return new arrays instead",
    "{what} alterou o argumento {name} no próprio lugar; devolva arrays novos",
)
RAISED = Text("your code raised {error}", "seu código lançou {error}")
WHERE = Text(
    "({file}, line {line}, in {function}{code})",
    "({file}, linha {line}, em {function}{code})",
)
NOT_DONE = Text("not done yet: {message}", "ainda não foi feito: {message}")
MISSING_NAME = Text(
    "your file has no {name}: keep the names of the functions and classes",
    "seu arquivo não tem {name}: mantenha os nomes das funções e classes",
)
CANNOT_LOAD = Text(
    "could not load {file}: {message}", "não foi possível carregar {file}: {message}"
)
SYNTAX = Text("{message} (line {line})", "{message} (linha {line})")
FILE_MISSING = Text("file not found: {path}", "arquivo não encontrado: {path}")
FILE_IS_LINK = Text(
    "{path} is a link: links are not graded; submit the .py file itself",
    "{path} é um link: links não são corrigidos; entregue o próprio arquivo .py",
)
FILE_IS_FOLDER = Text(
    "{path} is a folder, not your file: submit the .py file itself",
    "{path} é uma pasta, não o seu arquivo: entregue o próprio arquivo .py",
)
FILE_TOO_LARGE = Text(
    "{file} has {size} bytes: the grader takes files up to 1 MB (is it the "
    "right file?)",
    "{file} tem {size} bytes: o corretor aceita arquivos de até 1 MB (é o "
    "arquivo certo?)",
)
TIMEOUT = Text(
    "stopped after {seconds:g} s: the code did not finish in time (an infinite loop, "
    "or far too much work?)",
    "interrompido depois de {seconds:g} s: o código não terminou a tempo (um laço "
    "infinito, ou trabalho demais?)",
)
LOAD_TIMEOUT = Text(
    "loading {file} did not finish in {seconds:g} s: does code at the top of the file "
    'run forever (a loop, input())? Put trials under `if __name__ == "__main__":`',
    "carregar {file} não terminou em {seconds:g} s: há código no topo do arquivo que "
    "roda para sempre (um laço, input())? Coloque os testes sob "
    '`if __name__ == "__main__":`',
)
DIED = Text(
    "the process running your code ended without an answer ({how}): did it call "
    "os._exit or sys.exit, or run out of memory?",
    "o processo que rodava seu código terminou sem resposta ({how}): ele chamou "
    "os._exit ou sys.exit, ou ficou sem memória?",
)
GARBLED = Text(
    "the process running your code sent something that is not an answer ({why})",
    "o processo que rodava seu código mandou algo que não é uma resposta ({why})",
)
NOT_STARTED = Text(
    "the grader could not start a process to run your code ({why}): this is not "
    "your code's fault; ask for this exercise to be graded again",
    "o corretor não conseguiu iniciar um processo para rodar seu código ({why}): "
    "a culpa não é do seu código; peça para corrigirem este exercício de novo",
)
BUDGET = Text(
    "not run: earlier checks of this exercise used up its time ({seconds:g} s)",
    "não executada: as verificações anteriores deste exercício gastaram todo o "
    "tempo dele ({seconds:g} s)",
)
TOO_LARGE = Text(
    "the answer was larger than the grader accepts",
    "a resposta passou do tamanho que o corretor aceita",
)
ISOLATION = Text(
    "the student code ran with time, memory and process limits but could see this "
    "machine's files: install Bubblewrap to isolate it (Debian/Ubuntu: sudo apt-get "
    "install bubblewrap)",
    "o código dos alunos rodou com limites de tempo, memória e processos, mas podia "
    "ver os arquivos desta máquina: instale o Bubblewrap para isolá-lo "
    "(Debian/Ubuntu: sudo apt-get install bubblewrap)",
)
