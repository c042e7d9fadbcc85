package io.rewoo4j.core.run;

/** How a run's answer was obtained from its plan. */
public enum AnswerSource {
    /** The plan's answer was one reference: the answer is that step's output. */
    REFERENCE,
    /** The plan's answer was a text with references: they were replaced by the steps' outputs. */
    TEMPLATE,
    /** The solver model wrote the answer from the question and all evidence. */
    SOLVER,
    /** The plan's answer was text without references and no solver was configured: it is used as written. */
    LITERAL
}
