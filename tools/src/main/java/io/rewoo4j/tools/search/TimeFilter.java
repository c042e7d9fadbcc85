package io.rewoo4j.tools.search;

/** DuckDuckGo's time filter, sent as the {@code df} form field. */
public enum TimeFilter {
    ANY(""), DAY("d"), WEEK("w"), MONTH("m"), YEAR("y");

    private final String code;

    TimeFilter(String code) {
        this.code = code;
    }

    /** The {@code df} value; empty for {@link #ANY}. */
    public String code() {
        return code;
    }
}
