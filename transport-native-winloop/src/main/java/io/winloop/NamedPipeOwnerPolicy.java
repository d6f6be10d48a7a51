package io.winloop;

import io.winloop.internal.pipe.PipeSecurity;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which owners a {@link WinloopNamedPipeChannel} client accepts for the pipe it connects to
 * ({@link WinloopChannelOption#PIPE_OWNER_POLICY}). Checked right after the open, before anything is written: a pipe
 * owned by anyone else is closed and the connect fails with a {@link java.net.ConnectException} naming the owner.
 *
 * <p>Why a client needs it: {@code FILE_FLAG_FIRST_PIPE_INSTANCE} protects a server's bind, not a client's
 * connect. Whoever creates a well-known name first, another user's process included, receives every client that
 * connects to it, and what they write. The pipe's owner tells who created it (.NET's
 * {@code PipeOptions.CurrentUserOnly} checks the same).
 *
 * <p>The default, {@link #trusted()}, accepts pipes owned by the current user, LocalSystem or the Administrators
 * group: what a Winloop server of the same user creates (its descriptor names that user as owner), what services
 * running as LocalSystem create, and what elevated processes create (their default owner is Administrators). Those
 * principals can read the client's memory anyway, so trusting them exposes nothing more; any other owner, such as
 * another ordinary user squatting the name, is refused. {@link #currentUserOnly()} is stricter,
 * {@link #of(String...)} names the trusted SIDs, and {@link #anyOwner()} turns the check off.
 */
public final class NamedPipeOwnerPolicy {
    private static final Pattern SID = Pattern.compile("S-1-[0-9]+(-[0-9]+)*");
    private static final NamedPipeOwnerPolicy TRUSTED = new NamedPipeOwnerPolicy(false, true,
            Arrays.asList("S-1-5-18", "S-1-5-32-544"));
    private static final NamedPipeOwnerPolicy CURRENT_USER_ONLY = new NamedPipeOwnerPolicy(false, true,
            Collections.<String>emptyList());
    private static final NamedPipeOwnerPolicy ANY = new NamedPipeOwnerPolicy(true, false,
            Collections.<String>emptyList());

    private final boolean any;
    private final boolean currentUser;
    private final List<String> sids;

    private NamedPipeOwnerPolicy(boolean any, boolean currentUser, List<String> sids) {
        this.any = any;
        this.currentUser = currentUser;
        this.sids = Collections.unmodifiableList(sids);
    }

    /** The default: the current user, LocalSystem ({@code S-1-5-18}) or Administrators ({@code S-1-5-32-544}). */
    public static NamedPipeOwnerPolicy trusted() {
        return TRUSTED;
    }

    /** Only pipes owned by the user this process runs as. */
    public static NamedPipeOwnerPolicy currentUserOnly() {
        return CURRENT_USER_ONLY;
    }

    /** No check: connect to whoever owns the pipe (what Win32's CreateFile does). */
    public static NamedPipeOwnerPolicy anyOwner() {
        return ANY;
    }

    /**
     * Only pipes owned by one of {@code sids} (string SIDs such as {@code S-1-5-21-...}); the current user only if
     * listed. For a service account that owns the server's pipe.
     *
     * @throws IllegalArgumentException when none is given or one is not a string SID
     */
    public static NamedPipeOwnerPolicy of(String... sids) {
        return new NamedPipeOwnerPolicy(false, false, checkSids(sids));
    }

    /** The current user and {@code sids}. */
    public static NamedPipeOwnerPolicy currentUserAnd(String... sids) {
        return new NamedPipeOwnerPolicy(false, true, checkSids(sids));
    }

    private static List<String> checkSids(String... sids) {
        if (sids == null || sids.length == 0) {
            throw new IllegalArgumentException("no owner SID given (use anyOwner() to turn the check off)");
        }
        List<String> list = new ArrayList<>(sids.length);
        for (String sid : sids) {
            if (sid == null || !SID.matcher(sid).matches()) {
                throw new IllegalArgumentException("not a string SID: " + sid + " (expected S-1-<authority>-...)");
            }
            list.add(sid.toUpperCase(Locale.ROOT));
        }
        return list;
    }

    /** True when no owner is checked. */
    public boolean isAnyOwner() {
        return any;
    }

    /**
     * Whether a pipe owned by {@code owner} (a string SID; null when the pipe's descriptor names no owner) may be
     * connected to by a process running as {@code currentUserSid}.
     */
    public boolean accepts(String owner, String currentUserSid) {
        if (any) {
            return true;
        }
        if (owner == null) {
            return false;
        }
        if (currentUser && owner.equalsIgnoreCase(currentUserSid)) {
            return true;
        }
        return sids.contains(owner.toUpperCase(Locale.ROOT));
    }

    /** "the current user S-1-5-21-..., S-1-5-18, S-1-5-32-544", for messages. */
    String describe(String currentUserSid) {
        if (any) {
            return "any owner";
        }
        StringBuilder sb = new StringBuilder();
        if (currentUser) {
            sb.append("the current user ").append(currentUserSid);
        }
        for (String sid : sids) {
            sb.append(sb.length() > 0 ? ", " : "").append(sid);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedPipeOwnerPolicy && ((NamedPipeOwnerPolicy) o).any == any
                && ((NamedPipeOwnerPolicy) o).currentUser == currentUser && ((NamedPipeOwnerPolicy) o).sids.equals(sids);
    }

    @Override
    public int hashCode() {
        return (any ? 1 : 0) + (currentUser ? 2 : 0) + 31 * sids.hashCode();
    }

    @Override
    public String toString() {
        return any ? "NamedPipeOwnerPolicy(any owner)"
                : "NamedPipeOwnerPolicy(" + (currentUser ? "current user" + (sids.isEmpty() ? "" : ", ") : "")
                + String.join(", ", sids) + ")";
    }

    /** Fails unless the owner of {@code pipe}, a client end just opened to {@code address}, is one this trusts. */
    void checkOwner(long pipe, NamedPipeAddress address) throws IOException {
        if (isAnyOwner()) {
            return;
        }
        String owner = PipeSecurity.readOwner(pipe);
        String user = PipeSecurity.currentUserSid();
        if (!accepts(owner, user)) {
            throw new ConnectException("connect(" + address + ") refused: the pipe is owned by "
                    + (owner == null ? "no one (its security descriptor names no owner)" : owner)
                    + ", not by " + describe(user) + " (PIPE_OWNER_POLICY): another user's process may "
                    + "have created this name first. Nothing was written to it.");
        }
    }
}
