package io.rewoo4j.runtime.model;

/** The position-wise half of a block: a dense SwiGLU MLP (Llama) or a sparse mixture of such experts (Mixtral). */
sealed interface FeedForward permits SwiGluMlp, SparseMixtureOfExperts {

    /** {@code out} [rows, hidden] ← FFN({@code x} [rows, hidden]). */
    void forward(float[] x, int rows, float[] out);
}
