package io.rewoo4j.planner;

/**
 * Turns an "undefined reference" into the more useful "defined later, on line N" when the whole text is at hand.
 * A streaming parse cannot know the future, so it reports the reference as undefined the moment it sees it.
 */
final class ForwardReferences {

    private ForwardReferences() {
    }

    static PlanParseException refine(PlanParseException e, String text) {
        if (!(e.error() instanceof PlanError.UndefinedReference undefined)) {
            return e;
        }
        String id = EvidenceReferences.idOf(undefined.reference());
        String[] lines = text.split("\r?\n", -1);
        for (int i = undefined.line(); i < lines.length; i++) {
            PlanGrammar.StepStart start = PlanGrammar.step(lines[i]);
            if (start == null) {
                start = PlanGrammar.plan(lines[i]);
            }
            if (start != null && start.variable() != null && EvidenceReferences.idOf(start.variable()).equals(id)) {
                return new PlanParseException(new PlanError.ForwardReference(
                        undefined.line(), undefined.lineText(), undefined.reference(), i + 1));
            }
        }
        return e;
    }
}
