package io.sonde.bpf;

/**
 * TcDirection says whether a TC program sees packets arriving at an interface or leaving it.
 *
 * <pre>{@code
 * program.attachTc(ifindex, TcDirection.INGRESS);
 * }</pre>
 */
public enum TcDirection {
    INGRESS, EGRESS
}
