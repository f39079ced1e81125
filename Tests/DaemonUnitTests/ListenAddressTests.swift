import Daemon
import Testing

@Suite("metrics.listen: IPv4 and bracketed IPv6, anything else refused")
struct ListenAddressTests {
    @Test("accepted and refused forms")
    func forms() {
        for text in ["127.0.0.1:9464", "0.0.0.0:0", "[::1]:9464", "[::]:9464", "[fe80::1]:65535"] {
            #expect(ListenAddress(text) != nil, "\(text)")
        }
        for text in [
            "localhost:9464", "::1:9464", "[::1]", "127.0.0.1", "127.0.0.1:65536", "[::1]:-1", "[zz::1]:80", "",
        ] {
            #expect(ListenAddress(text) == nil, "\(text)")
        }
        #expect(ListenAddress("[::1]:9464")?.port == 9464)
    }
}
