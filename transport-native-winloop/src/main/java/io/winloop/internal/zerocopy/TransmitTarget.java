package io.winloop.internal.zerocopy;

import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;

/**
 * What {@link FileRegionTransmitter} needs of the stream channel whose regions it sends, and nothing more: the loop
 * its completions must run on, whether its TRANSMIT_FILE mode lets regions use TransmitFile on this edition of
 * Windows, the outbound buffer whose progress it reports, and a way to flush again once a call completed. The
 * channel implements it privately, so the transmitter never reaches into the channel's unsafe.
 */
public interface TransmitTarget {
    /** The loop the channel is registered with now (a completion may arrive on the loop it has left). */
    EventLoop eventLoop();

    /**
     * Why the channel's mode (its TRANSMIT_FILE option, or the process default) copies regions on this edition of
     * Windows, or null when they may go through TransmitFile.
     */
    String transmitFileCopyReason();

    /** Why regions go through TransmitFile, for the once-per-text debug log (when the copy reason is null). */
    String transmitFileReason();

    /** The channel's outbound buffer; null once the channel is closed. */
    ChannelOutboundBuffer outboundBuffer();

    /** Flushes the outbound buffer again, on the loop: the next call, or the messages after the region. */
    void flushAgain();
}
