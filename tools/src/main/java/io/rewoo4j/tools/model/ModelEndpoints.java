package io.rewoo4j.tools.model;

import java.net.URI;

/** Base-URL checks and path joining shared by the client configurations. */
final class ModelEndpoints {

    private ModelEndpoints() {
    }

    static URI checkBaseUrl(URI baseUrl) {
        String scheme = baseUrl.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("base URL must be an absolute http(s) URL: " + baseUrl);
        }
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("base URL must not have a query or fragment: " + baseUrl);
        }
        return baseUrl;
    }

    /** {@code base} joined with a relative {@code path}, whether or not the base ends in a slash. */
    static URI resolve(URI base, String path) {
        String root = base.toString();
        return URI.create(root.endsWith("/") ? root + path : root + "/" + path);
    }
}
