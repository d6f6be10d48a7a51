package io.winloop.spring.boot;

import io.winloop.Winloop;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches where the Winloop transport can run. Off Windows (or with native transports turned off) the outcome
 * carries {@link Winloop#unavailabilityCause()}'s words, so Boot's conditions report says why Winloop was not used.
 */
final class OnWinloopAvailableCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("Winloop transport");
        if (Winloop.isAvailable()) {
            return ConditionOutcome.match(message.available("io.winloop.Winloop"));
        }
        return ConditionOutcome.noMatch(message.because(String.valueOf(Winloop.unavailabilityCause().getMessage())));
    }
}
