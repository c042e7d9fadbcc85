package io.rewoo4j.runtime.cuda;

/**
 * A CUDA call failed. The message is {@code "<operation>: <CUDA's description> (<CUDA error name>)"}, for example
 * {@code "cudaMalloc(1073741824 bytes): out of memory (cudaErrorMemoryAllocation)"}.
 */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String cudaError;

    public CudaException(String message) {
        this(message, null);
    }

    /** Also the constructor the native layer calls. */
    public CudaException(String message, String cudaError) {
        super(message);
        this.cudaError = cudaError;
    }

    /** CUDA's name for the error ({@code "cudaErrorMemoryAllocation"} ...), or {@code null} when unknown. */
    public String cudaError() {
        return cudaError;
    }

    /** Whether this is CUDA's out-of-memory error. */
    public boolean isOutOfMemory() {
        return "cudaErrorMemoryAllocation".equals(cudaError);
    }
}
