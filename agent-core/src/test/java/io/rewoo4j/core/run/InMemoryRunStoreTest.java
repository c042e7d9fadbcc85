package io.rewoo4j.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class InMemoryRunStoreTest {

    private static RunResult run(String id, RunStatus status) {
        return new RunResult(id, "q " + id, status, null, null, null, null, List.of(), null, Instant.EPOCH, null, null);
    }

    @Test
    void savesAndFindsByIdAndAnUpdateReplacesTheRun() {
        InMemoryRunStore store = new InMemoryRunStore(10);
        StepVerifier.create(store.save(run("a", RunStatus.RUNNING))).expectNextCount(1).verifyComplete();
        StepVerifier.create(store.save(run("a", RunStatus.SUCCEEDED))).expectNextCount(1).verifyComplete();
        StepVerifier.create(store.find("a")).assertNext(r -> assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED))
                .verifyComplete();
        StepVerifier.create(store.find("missing")).verifyComplete();
    }

    @Test
    void listsNewestFirstByFirstSaveAndHonoursTheLimit() {
        InMemoryRunStore store = new InMemoryRunStore(10);
        for (String id : new String[] {"a", "b", "c"}) {
            store.save(run(id, RunStatus.RUNNING)).subscribe();
        }
        store.save(run("a", RunStatus.FAILED)).subscribe(); // an update does not move "a" to the front
        StepVerifier.create(store.recent(10).map(RunResult::runId)).expectNext("c", "b", "a").verifyComplete();
        StepVerifier.create(store.recent(2).map(RunResult::runId)).expectNext("c", "b").verifyComplete();
    }

    @Test
    void forgetsTheOldestRunsBeyondItsCapacity() {
        InMemoryRunStore store = new InMemoryRunStore(2);
        for (String id : new String[] {"a", "b", "c"}) {
            store.save(run(id, RunStatus.RUNNING)).subscribe();
        }
        StepVerifier.create(store.find("a")).verifyComplete();
        StepVerifier.create(store.recent(5).map(RunResult::runId)).expectNext("c", "b").verifyComplete();
    }

    @Test
    void isLazy() {
        InMemoryRunStore store = new InMemoryRunStore(2);
        store.save(run("a", RunStatus.RUNNING)); // not subscribed
        StepVerifier.create(store.find("a")).verifyComplete();
    }
}
