package io.winloop.spring.boot;

import io.winloop.Winloop;
import io.winloop.reactor.netty.WinloopLoopResources;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.http.client.ReactorResourceFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs on the build host's (Linux) JVM: where Winloop cannot run, the module on the class path changes nothing.
 * The application starts on Reactor Netty's default loops, and Boot's conditions report says why Winloop was not
 * used.
 */
@Tag("host-jvm")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OffWindowsBackOffTest {

    @Test
    void backsOffWhereWinloopIsUnavailable() {
        String os = System.getProperty("os.name");
        assertFalse(os.startsWith("Windows"), "this test is for the non-Windows host JVM; os.name=" + os);
        assertFalse(Winloop.isAvailable());
        try (RunningApp app = RunningApp.start()) {
            assertTrue(app.context.getBeansOfType(WinloopReactorNettyAutoConfiguration.class).isEmpty());
            ReactorResourceFactory factory = app.context.getBean(ReactorResourceFactory.class);
            assertTrue(factory.isUseGlobalResources(), "not Boot's own factory");
            assertFalse(factory.getLoopResources() instanceof WinloopLoopResources);

            app.roundTrip();

            assertFalse(app.recorder.serverChannels.isEmpty());
            for (Class<?> channelClass : app.recorder.serverChannels) {
                assertFalse(channelClass.getName().startsWith("io.winloop"), channelClass.getName());
            }
            for (Class<?> channelClass : app.recorder.clientChannels) {
                assertFalse(channelClass.getName().startsWith("io.winloop"), channelClass.getName());
            }

            List<String> outcomes = new ArrayList<>();
            ConditionEvaluationReport.get(app.context.getBeanFactory())
                    .getConditionAndOutcomesBySource()
                    .get(WinloopReactorNettyAutoConfiguration.class.getName())
                    .forEach(conditionAndOutcome -> outcomes.add(conditionAndOutcome.getOutcome().getMessage()));
            assertTrue(outcomes.contains("Winloop transport Winloop requires Windows; os.name=" + os),
                    outcomes.toString());
        }
    }
}
