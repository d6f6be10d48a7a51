/**
 * Zero-copy FileRegions: {@link io.winloop.internal.zerocopy.FileRegionTransmitter} sends a stream channel's
 * DefaultFileRegions with overlapped TransmitFile on the loop's port, {@link io.winloop.internal.zerocopy.RegionFiles}
 * finds a region's file handle. The channel reaches this package only through
 * {@link io.winloop.internal.zerocopy.TransmitTarget}, which also gives the answer of io.winloop.TransmitFilePolicy
 * (whether the channel's mode lets TransmitFile run on this edition of Windows), so that this package imports
 * nothing from the public one.
 */
package io.winloop.internal.zerocopy;
