/**
 * Main-content extraction for the TextScraper tool: {@link io.rewoo4j.tools.scrape.extract.MainContentExtractor}
 * turns a web page into its headline and its article as readable plain text, leaving out navigation, ads,
 * comments and the rest of the page's furniture.
 *
 * <p>Measured on the article-extraction benchmark (181 real pages): see {@code docs/benchmarks/extraction.md}
 * for the figures and the command that makes them.
 */
package io.rewoo4j.tools.scrape.extract;
