/**
 * Zero-copy FileRegions: {@link io.winloop.internal.zerocopy.FileRegionTransmitter} sends a stream channel's
 * DefaultFileRegions with overlapped TransmitFile on the loop's port, {@link io.winloop.internal.zerocopy.RegionFiles}
 * finds a region's file handle, {@link io.winloop.internal.zerocopy.TransmitFilePolicy} decides by Windows edition
 * whether TransmitFile may run at all. The channel reaches this package only through
 * {@link io.winloop.internal.zerocopy.TransmitTarget}.
 */
package io.winloop.internal.zerocopy;
