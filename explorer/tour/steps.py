"""The tour's steps as data: chapter 1's argument about gradient descent, one idea a step.

Plain Python (no Qt), so the text can be read, tested and translated without a window.
Each ``Step`` holds:

* ``key``: a short stable name (the tour remembers the learner's place by it);
* ``title`` and ``text``: a few sentences of our own, as paragraphs;
* ``formula``: the formula the step is about, in matplotlib's mathtext (TeX-like), and
  ``formula_plain``: the same in Unicode, for screen readers, tooltips and as a stand-in
  while the picture is drawn;
* ``show``: the name of the "Show me" action (``explorer.tour.show_me.ACTIONS``), which
  sets the app to a state that shows the idea and points at the widget to look at;
* ``look``: one sentence saying what to look at once "Show me" has done its work.

The numbers in the text (23,860 weights and biases, 13,002 for 3Blue1Brown's network,
about 285 million second derivatives, 6,000 updates an epoch) are computed below from
the same layer sizes the engine uses, and a test checks them against
``engine.network.parameter_count``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

BOOK_SIZES = (784, 30, 10)
VIDEO_SIZES = (784, 16, 16, 10)
TRAINING_IMAGES = 60_000
BOOK_M = 10


def parameter_count(sizes) -> int:
    """Weights and biases of a fully connected network with these layer sizes."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


BOOK_PARAMETERS = parameter_count(BOOK_SIZES)                       # 23,860
VIDEO_PARAMETERS = parameter_count(VIDEO_SIZES)                     # 13,002
# The Hessian is symmetric: n(n+1)/2 different second partial derivatives.
SECOND_DERIVATIVES = BOOK_PARAMETERS * (BOOK_PARAMETERS + 1) // 2   # 284,661,730
UPDATES_PER_EPOCH = TRAINING_IMAGES // BOOK_M                       # 6,000


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    text: Tuple[str, ...]
    formula: str
    formula_plain: str
    show: str
    look: str


STEPS: Tuple[Step, ...] = (
    Step(
        "cost", "What the network is trying to make small",
        ("For every training image x the network gives ten outputs a, and we know the ten "
         "we wanted, y(x). The quadratic cost squares the gap between them, adds it up "
         "over all n images and halves the average.",
         "Each term is a squared length, so C can never be negative. It is zero only when "
         "every output is exactly right, and it grows as the outputs drift away. Learning "
         "means finding weights w and biases b that make C small."),
        r"$C(w,b) \;=\; \dfrac{1}{2n}\sum_{x}\,\Vert y(x)-a\Vert^{2} \;\geq\; 0$",
        "C(w, b) = 1/(2n) Σₓ ‖y(x) − a‖² ≥ 0",
        "cost", "The cost plot of the training panel: C should fall as the network learns."),
    Step(
        "smooth", "Why not count the right answers?",
        ("What we really care about is how many digits come out right. But that count "
         "jumps: nudge one weight a little and usually not a single answer changes, so "
         "the count gives no hint which way to move.",
         "The cost changes a little when a weight changes a little. That smoothness is "
         "what lets us ask \u201cwhich small change helps most?\u201d. So we push the "
         "cost down and watch the accuracy follow."),
        r"$\mathrm{correct}(w,b) \in \{0,1,\ldots,n\} \qquad C(w,b) \in [0,\infty)$",
        "correct(w, b) ∈ {0, 1, …, n}    C(w, b) ∈ [0, ∞)",
        "accuracy", "Accuracy (a count) beside the cost (smooth) on the training panel."),
    Step(
        "calculus", "Why not solve for the minimum?",
        ("In school we find a minimum by setting the derivative to zero and solving. With "
         "two variables that is already awkward: this surface has four minima, and the "
         "equations also hold at saddles and at a maximum.",
         f"The book's network has {BOOK_PARAMETERS:,} weights and biases, so we would need "
         f"to solve {BOOK_PARAMETERS:,} tangled non-linear equations at once. Nobody can. "
         "Instead we start somewhere and walk downhill."),
        r"$\dfrac{\partial C}{\partial v_k} = 0,\qquad k = 1,\ldots,"
        + f"{BOOK_PARAMETERS:,}".replace(",", "{,}") + "$",
        f"∂C/∂vₖ = 0,  k = 1, …, {BOOK_PARAMETERS:,}",
        "calculus", "The contour map: four separate valleys, each a solution of ∇C = 0."),
    Step(
        "ball", "A ball rolling downhill",
        ("Picture C as a landscape over the variables v₁ and v₂ and put a ball on it. The "
         "ball goes where the ground slopes down most steeply, again and again, and ends "
         "in a valley.",
         "Gradient descent does exactly this with numbers: from where we stand, take a "
         "small step against the slope, then look again."),
        r"$v \;\rightarrow\; v' = v - \eta\,\nabla C$",
        "v → v′ = v − η∇C",
        "ball", "The 3-D surface: the ball rolls from its start to the bottom."),
    Step(
        "not_physics", "It is not really a ball",
        ("A real ball has momentum: it speeds up downhill, overshoots, and friction slows "
         "it down. Our rule has none of that. Each step looks only at the slope where it "
         "stands now and forgets how it got there.",
         "The momentum rule puts the physics back: a velocity that keeps part of the last "
         "step (\u03bc) plus the new push. In a long narrow valley it runs ahead of plain "
         "gradient descent."),
        r"$u' = \mu\,u - \eta\,\nabla C, \qquad v' = v + u'$",
        "u′ = μu − η∇C,   v′ = v + u′",
        "not_physics", "The contour map: red is plain gradient descent, green has momentum."),
    Step(
        "linear", "How C changes for a small step",
        ("Move a little, by \u0394v\u2081 and \u0394v\u2082. Calculus says C changes by "
         "each slope times its move, added up: the gradient dotted with the step.",
         "This is only an approximation, good for small steps. The readout shows it beside "
         "the true change, step by step."),
        r"$\Delta C \;\approx\; \dfrac{\partial C}{\partial v_1}\Delta v_1 + "
        r"\dfrac{\partial C}{\partial v_2}\Delta v_2 \;=\; \nabla C\cdot\Delta v$",
        "ΔC ≈ (∂C/∂v₁)Δv₁ + (∂C/∂v₂)Δv₂ = ∇C·Δv",
        "linear", "The readout: predicted ΔC = ∇C·Δv next to the actual ΔC."),
    Step(
        "choose", "Choosing the step so that C goes down",
        ("We are free to choose \u0394v. Choose it to point against the gradient, scaled by "
         "a small positive number \u03b7, the learning rate.",
         "Put that into the approximation: the change becomes minus \u03b7 times a squared "
         "length, which can never be positive. As long as the approximation holds, every "
         "step lowers C."),
        r"$\Delta v = -\eta\,\nabla C \;\;\Rightarrow\;\; \Delta C \approx "
        r"-\eta\,\Vert\nabla C\Vert^{2} \;\leq\; 0$",
        "Δv = −η∇C  ⇒  ΔC ≈ −η‖∇C‖² ≤ 0",
        "choose", "The cost per step: with this η it falls at every step."),
    Step(
        "eta_large", "When \u03b7 is too large",
        ("The guarantee leaned on the approximation, and the approximation only holds for "
         "small steps. Make \u03b7 too large and a step can jump across the valley and land "
         "higher than it started.",
         "The readout then flags the overshoot: the prediction says C falls, but it rose."),
        r"$\Delta C_{\mathrm{predicted}} = -\eta\Vert\nabla C\Vert^{2} < 0 \quad\mathrm{but}"
        r"\quad \Delta C_{\mathrm{actual}} > 0$",
        "ΔC predicted = −η‖∇C‖² < 0, but ΔC actual > 0",
        "eta_large", "The readout at a step where C went up (the red verdict)."),
    Step(
        "eta_small", "When \u03b7 is too small",
        ("The other way round, nothing goes wrong, but hardly anything happens. Each step "
         "is \u03b7 times the gradient long, so a tiny \u03b7 means tiny steps and a long "
         "crawl to the bottom.",
         "In practice \u03b7 is tuned by trying: large enough to make progress, small "
         "enough for the approximation to hold."),
        r"$\Vert\Delta v\Vert = \eta\,\Vert\nabla C\Vert$",
        "‖Δv‖ = η‖∇C‖",
        "eta_small", "The cost per step: with a tiny η it has barely moved after 150 steps."),
    Step(
        "fixed", "The best step of a given length",
        ("Suppose we insist every step has the same length \u03b5. Which direction lowers C "
         "the most? The change is \u2207C\u00b7\u0394v, and a dot product of two vectors of "
         "fixed lengths is most negative when they point opposite ways (Cauchy\u2013"
         "Schwarz).",
         "So the best step of length \u03b5 is minus \u03b5 times the unit gradient. Gradient "
         "descent is the same direction with a length that shrinks as the slope flattens."),
        r"$\Delta v = -\epsilon\,\dfrac{\nabla C}{\Vert\nabla C\Vert}$" "\n"
        r"$\mathrm{makes}\;\;\nabla C\cdot\Delta v\;\;\mathrm{least\;among}\;\;"
        r"\Vert\Delta v\Vert = \epsilon$",
        "Δv = −ε ∇C/‖∇C‖ minimises ∇C·Δv over ‖Δv‖ = ε",
        "fixed", "The contour map: orange takes equal steps, red slows down near the bottom."),
    Step(
        "one_variable", "One variable",
        ("With a single variable the gradient is just the derivative, the slope of the "
         "curve. A positive slope means move left, a negative one means move right.",
         "The dashed tangent is what the step trusts; where the curve bends away from it, "
         "the prediction and the real change part. Step through with Step ›: this "
         "ball settles in the nearer, higher dip, not the lowest one."),
        r"$v \;\rightarrow\; v' = v - \eta\,C'(v)$",
        "v → v′ = v − η C′(v)",
        "one_variable", "The curve C(v), the tangent at the ball's start, and the first step."),
    Step(
        "newton", "Why not use second derivatives?",
        ("Second derivatives tell how the slope itself changes, so a step can aim for the "
         "bottom directly. Newton's rule does that, and on a bowl-shaped valley it lands "
         "in one step.",
         f"The price: with {BOOK_PARAMETERS:,} variables there are {SECOND_DERIVATIVES:,} "
         "different second partial derivatives (about 285 million) to compute, store and "
         "invert at every step. Gradient descent needs only the "
         f"{BOOK_PARAMETERS:,} first ones."),
        r"$v' = v - H^{-1}\nabla C, \qquad H_{jk} = \dfrac{\partial^{2} C}"
        r"{\partial v_j\,\partial v_k}$",
        "v′ = v − H⁻¹∇C,   Hⱼₖ = ∂²C/∂vⱼ∂vₖ",
        "newton", "The contour map: black (Newton) jumps to the bottom, red walks."),
    Step(
        "many", "The same rule on the real network",
        (f"Nothing in the argument needed two variables. On the book's network the "
         f"position v is all {BOOK_PARAMETERS:,} weights and biases, and each one moves "
         "against its own partial derivative of C, all in the same step.",
         "Backpropagation (chapter 2) is the fast way to get all those partial "
         "derivatives at once."),
        r"$w_k \rightarrow w_k - \eta\,\dfrac{\partial C}{\partial w_k}, \qquad "
        r"b_l \rightarrow b_l - \eta\,\dfrac{\partial C}{\partial b_l}$",
        "wₖ → wₖ − η ∂C/∂wₖ,   bₗ → bₗ − η ∂C/∂bₗ",
        "many", "The real network: the same η, now moving all of its weights and "
                "biases at once."),
    Step(
        "sgd", "Stochastic gradient descent",
        ("The true gradient is an average over all training images, which is slow to "
         "compute for every step. Instead, take a small random mini-batch of m images and "
         "use their average as an estimate, the way a poll of a thousand voters estimates "
         "a whole country.",
         f"With m = {BOOK_M}, one pass over {TRAINING_IMAGES:,} images gives "
         f"{TRAINING_IMAGES:,} / {BOOK_M} = {UPDATES_PER_EPOCH:,} updates, where the exact "
         "gradient would have given one. At the extreme, m = 1 is online learning: one "
         "image, one step."),
        r"$\nabla C \;\approx\; \dfrac{1}{m}\sum_{j=1}^{m}\nabla C_{X_j}$" "\n"
        r"$w \;\rightarrow\; w - \dfrac{\eta}{m}\sum_{j=1}^{m}"
        r"\dfrac{\partial C_{X_j}}{\partial w}$",
        "∇C ≈ (1/m) Σⱼ ∇C_Xⱼ,   w → w − (η/m) Σⱼ ∂C_Xⱼ/∂w",
        "sgd", "The mini-batch size m on the training panel (1 is online learning)."),
    Step(
        "conventions", "The 1/n and the 1/m",
        ("Some people drop the 1/n in the cost, or the 1/m in the update, and add up "
         "instead of averaging. Nothing deep changes: a sum is m times the average, so "
         "it is the same rule with a learning rate m times as large.",
         "That matters when you copy an \u03b7 from elsewhere: know which convention it "
         "was meant for."),
        r"$w - \eta\sum_{j=1}^{m}\dfrac{\partial C_{X_j}}{\partial w} \;=\; w - "
        r"\dfrac{\eta'}{m}\sum_{j=1}^{m}\dfrac{\partial C_{X_j}}{\partial w}$" "\n"
        r"$\mathrm{with}\;\;\eta' = m\,\eta$",
        "w − η Σⱼ ∂C_Xⱼ/∂w = w − (η′/m) Σⱼ ∂C_Xⱼ/∂w,  η′ = mη",
        "conventions", "η on the training panel: it is the η of the averaged rule."),
    Step(
        "video", "3Blue1Brown's network",
        (f"The video uses two hidden layers of 16 neurons: "
         f"{'-'.join(map(str, VIDEO_SIZES))}, {VIDEO_PARAMETERS:,} weights and biases. "
         "Trained here with the book's settings it reaches about 94\u201395% on the test "
         "images (94.51% at its best epoch in our run).",
         "The video quotes about 96%. The difference is in the training details (initial "
         "weights, learning rate, how long and on which images), not in the idea."),
        r"$(784{+}1)\cdot16 \;+\; (16{+}1)\cdot16 \;+\; (16{+}1)\cdot10 \;=\; "
        + f"{VIDEO_PARAMETERS:,}".replace(",", "{,}") + "$",
        f"(784+1)·16 + (16+1)·16 + (16+1)·10 = {VIDEO_PARAMETERS:,}",
        "video", "The 3Blue1Brown preset: press Train to see it learn."),
    Step(
        "inside", "What did it learn?",
        ("The hidden units do not find neat strokes and loops; their weights look mostly "
         "like noise with a faint structure. Show the network pure noise and it still "
         "answers, often confidently: it was never taught to say \u201cnone of these\u201d.",
         "A network this size can even memorise training images whose labels were "
         "shuffled at random, reaching high training accuracy while the test accuracy "
         "stays at chance. A low cost on the training set alone proves little."),
        r"$a = \sigma(w\,x + b), \qquad x \sim \mathrm{Uniform}[0,1]^{784}$",
        "a = σ(wx + b),   x ~ Uniform[0, 1]⁷⁸⁴",
        "inside", "What the hidden units learned (the Inside panel), or the network's "
                  "answer to a picture of pure noise (the drawing pad)."),
)

KEYS = tuple(s.key for s in STEPS)


def step_index(key: str) -> int:
    """The position of the step named ``key``; ValueError for an unknown key."""
    return KEYS.index(key)
