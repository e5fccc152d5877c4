package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/** Addresses in events and remote labels are printed as ss and ip print them. */
class TcpEventsTest {
    private static String text(String address) throws Exception {
        return TcpEvents.addressText(InetAddress.getByName(address).getAddress());
    }

    @Test
    void ipv6InShortForm() throws Exception {
        assertEquals("fd00:199:a::2", text("fd00:199:a:0:0:0:0:2"));
        assertEquals("::1", text("0:0:0:0:0:0:0:1"));
        assertEquals("::", text("0:0:0:0:0:0:0:0"));
        assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"));
        assertEquals("fe80::", text("fe80:0:0:0:0:0:0:0"));
    }

    @Test
    void ipv4AndMappedIpv4() throws Exception {
        assertEquals("10.199.3.2", text("10.199.3.2"));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        assertEquals("10.0.0.1", TcpEvents.addressText(mapped));
    }
}
