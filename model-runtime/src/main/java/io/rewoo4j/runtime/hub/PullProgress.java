package io.rewoo4j.runtime.hub;

/**
 * One step of a pull. Totals are -1 while unknown (a file whose size neither the listing nor the server gives).
 *
 * @param file       the file's path in the repository
 * @param fileIndex  its position among the selected files, from 1
 * @param fileCount  how many files were selected
 * @param fileBytes  bytes of this file on disk (resumed bytes included)
 * @param fileTotal  the file's size
 * @param bytesDone  bytes of all selected files on disk
 * @param bytesTotal size of all selected files
 */
public record PullProgress(Stage stage, String file, int fileIndex, int fileCount, long fileBytes, long fileTotal,
                           long bytesDone, long bytesTotal) {

    /** Where the file is. */
    public enum Stage {
        /** Already complete on disk; nothing was requested. */
        SKIPPED,
        /** A transfer (or its resumption) began. */
        STARTED,
        /** More bytes arrived. */
        TRANSFERRING,
        /** The transfer failed and will be tried again from the bytes written so far. */
        RETRYING,
        /** The file is complete and in place. */
        FINISHED
    }
}
