/// Ids in the order people count them: A2 before A10 (digits compare as numbers), then as text.
enum NaturalOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        var (x, y) = (a.unicodeScalars[...], b.unicodeScalars[...])
        while let p = x.first, let q = y.first {
            let (pd, qd) = (p.properties.numericType != nil && p.isASCII, q.properties.numericType != nil && q.isASCII)
            if pd && qd {
                let m = x.prefix { $0.isASCII && $0.properties.numericType != nil }
                let n = y.prefix { $0.isASCII && $0.properties.numericType != nil }
                // (Leading zeros aside, the longer run of digits is the larger number; no overflow for long ids.)
                let (mt, nt) = (String(m).drop { $0 == "0" }, String(n).drop { $0 == "0" })
                if mt.count != nt.count { return mt.count < nt.count }
                if mt != nt { return mt < nt }
                x = x.dropFirst(m.count)
                y = y.dropFirst(n.count)
            } else {
                if p != q { return p.value < q.value }
                x = x.dropFirst()
                y = y.dropFirst()
            }
        }
        return x.isEmpty && !y.isEmpty || (x.isEmpty == y.isEmpty && a < b)
    }
}
