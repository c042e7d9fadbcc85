package io.rewoo4j.core.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {

    private final List<String> granted = new CopyOnWriteArrayList<>();

    private ConcurrencyLimiter.Waiter waiter(String name) {
        return new ConcurrencyLimiter.Waiter() {
            @Override
            protected void onGranted() {
                granted.add(name);
            }
        };
    }

    @Test
    void grantsFreedPermitsInArrivalOrder() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, tool -> 10);
        assertThat(limiter.tryAcquire("a", waiter("first"))).isTrue();
        assertThat(limiter.tryAcquire("a", waiter("w1"))).isFalse();
        assertThat(limiter.tryAcquire("b", waiter("w2"))).isFalse();
        limiter.release("a");
        assertThat(granted).containsExactly("w1");
        limiter.release("a");
        assertThat(granted).containsExactly("w1", "w2");
        assertThat(limiter.inUse()).isEqualTo(1);
    }

    @Test
    void aFullToolDoesNotHoldUpAnotherToolBehindIt() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(2, tool -> tool.equals("narrow") ? 1 : 5);
        assertThat(limiter.tryAcquire("narrow", waiter("n0"))).isTrue();
        assertThat(limiter.tryAcquire("wide", waiter("w0"))).isTrue();
        assertThat(limiter.tryAcquire("narrow", waiter("n1"))).isFalse(); // lane full
        assertThat(limiter.tryAcquire("wide", waiter("w1"))).isFalse();   // global full
        limiter.release("wide");
        // n1 came first but its lane is still full: the freed global permit goes to w1
        assertThat(granted).containsExactly("w1");
        limiter.release("narrow");
        assertThat(granted).containsExactly("w1", "n1");
    }

    @Test
    void abandonedRequestsAreNeverGranted() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, tool -> 1);
        limiter.tryAcquire("a", waiter("held"));
        ConcurrencyLimiter.Waiter gone = waiter("gone");
        limiter.tryAcquire("a", gone);
        limiter.tryAcquire("a", waiter("next"));
        assertThat(gone.abandon()).isTrue();
        limiter.release("a");
        assertThat(granted).containsExactly("next");
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void aGrantedRequestCannotBeAbandoned() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, tool -> 1);
        limiter.tryAcquire("a", waiter("held"));
        ConcurrencyLimiter.Waiter w = waiter("w");
        limiter.tryAcquire("a", w);
        limiter.release("a");
        assertThat(w.abandon()).isFalse();
        assertThat(limiter.inUse()).isEqualTo(1);
    }

    @Test
    void releasingWithoutAPermitIsADefect() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, tool -> 1);
        assertThatThrownBy(() -> limiter.release("a")).isInstanceOf(IllegalStateException.class);
    }
}
