/// Throwaway test credentials (made with `openssl req -x509 -newkey rsa:2048 -nodes -days 36500`): the key and
/// certificate of the app the fake Graph knows, and of another app it does not. Not secrets: never used outside tests.
enum TestCertificates {
    static let app = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCdIdA92dAYOHZu
        pfhOeIPNJnAfz2b/YrcAPMznRUOfN9Cp/1GKFIDZh9zlfSnyR1k3bFSVPE5n8GD2
        +Ei8OCUuaHawxBdxGLcKWwMqKgibSU7pI7U6jPb8uX0hUE77HYlOyssCY/z9GmLm
        g1QrPBsPKB5CP2XAYG73iYQVRd5/DDm30QtlVUsw/L18q2mrjh20jcz1kJXWh8BQ
        bshEGmLf6wQUH+ii1B6CP3yxZ7w+RN84NpDYzSkjB0bun2E0SWTjldhVkS5321K4
        PwVJ49o3k1BDrMBh1/jd4b04M+c1Fv/kR5zl9hHn5ibGLZFisF8pAPi4gEnyfrzR
        TPGh1OLhAgMBAAECggEADzEc+VHlAuZ4mteMk4em1I+WERlED8Z7Q3hdZjHF6S+k
        Cr+O4l77myx90KlChDRePZPJdLlFKlrtAQu9uobiH2PFr+7xhkN5tPRaMLoqJVtX
        2AYWCEBnQ8VqQe2KCVDQfO/x4zwIEm955ugFG/3+br9193k6LPiV2fRvcwATlCxT
        QQg+dBapeFy1mxeToKKeY+hKKysnenyitN3ogD9yKy0xWAxOGehA6doAXi+vD1bC
        nKmPutne+in4NpjNeFAHSMLx9FCtxDUX2KgCZgSkL+lAleMkr20VajHJrK61pnOc
        fsFhY6AdhryfX1bOg21oFiXdMb9lxNf7rtMetEjkLQKBgQDZ19B7PGASkPrB8yVD
        vDCnMWr+NRwZesJXi2W4N8uGsLJGGxQFvNzo7v2GouBlG1t50S0BMn/FJgQy7I56
        FYAilQyiEN10qge575EVEQEH8DtHls2OpWTaJOskqXMO1GAMt7Yz4xsjh0RsfKg9
        u4w/J4yTSbX3EWPf9AJlclrTBQKBgQC4p7D9t85hyLdPXsVWviKGW+sKAO8zx6ay
        EdiOBtXtyO2iE0gj+mKGgdZpPI4ZDAfupxk4r9fjEqO7vHO0TKcyIlORqxtVpqRQ
        TUvUM7aAcQBSAAVcj1bvhW6OW3JmiZI3VAvVeKX6RZi0E61kSgwI1SpdeA8ZH9b5
        uDMaWGaPLQKBgQDFAUtlZ6BqqfpcVAurShGl4ickZdtXn5EJouMGyk6hLELM68gb
        uET/0sIsdDgCt87uR6Evp/+sx0ic1Rm0hqUuoSSfnCjqTKpYGLNYHdyU1UiG4XZc
        Pm8KaMDOkv+etal3VtzL5+KvKrFSexmbWnTm2FllChAps+xiqEVSgSxqEQKBgCn/
        qhfrCHvhJSBeU9AI6t1YZrsdv0otrNJvkKutDldJDhOBAzV7q5EgUt4YsdEslVlI
        lEn6ZMX25Vq74C0wCg8zE4LcQhlXD6RcEFUxdd781K/R5WZKC+HqnVyvm/OKcsE2
        0oI5MLcdwT+kAhn/ZYFUyo/70KNMRJ8DsEvbs2f5AoGAH3UCvpRjGtY3iyf/sdj5
        mM2V+VvnWBK7fJqqnGg2Qx0+PtkbHdD1nr5cinrqaA1hQYBwjkabNyibysA8w3H1
        +DEGJu4KtdQHMJHKfQJiT4bqSvzIaj6NfpcFWAuSE8Sz1Jj5PtkSUKH/ZGinqXCW
        YDdyUjHpxDCC3Q17RzoP4ZE=
        -----END PRIVATE KEY-----
        -----BEGIN CERTIFICATE-----
        MIIDJTCCAg2gAwIBAgIUZOvOP//30VZlzQEaxHMUGGOqAWswDQYJKoZIhvcNAQEL
        BQAwITEfMB0GA1UEAwwWYWN0aXZpdHktc3luYyB0ZXN0IGFwcDAgFw0yNjEyMDIy
        MjI3MzZaGA8yMTI2MTEwODIyMjczNlowITEfMB0GA1UEAwwWYWN0aXZpdHktc3lu
        YyB0ZXN0IGFwcDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAJ0h0D3Z
        0Bg4dm6l+E54g80mcB/PZv9itwA8zOdFQ5830Kn/UYoUgNmH3OV9KfJHWTdsVJU8
        TmfwYPb4SLw4JS5odrDEF3EYtwpbAyoqCJtJTukjtTqM9vy5fSFQTvsdiU7KywJj
        /P0aYuaDVCs8Gw8oHkI/ZcBgbveJhBVF3n8MObfRC2VVSzD8vXyraauOHbSNzPWQ
        ldaHwFBuyEQaYt/rBBQf6KLUHoI/fLFnvD5E3zg2kNjNKSMHRu6fYTRJZOOV2FWR
        LnfbUrg/BUnj2jeTUEOswGHX+N3hvTgz5zUW/+RHnOX2EefmJsYtkWKwXykA+LiA
        SfJ+vNFM8aHU4uECAwEAAaNTMFEwHQYDVR0OBBYEFBlfboNd+AwcE2CeGgmmGnjp
        hTE8MB8GA1UdIwQYMBaAFBlfboNd+AwcE2CeGgmmGnjphTE8MA8GA1UdEwEB/wQF
        MAMBAf8wDQYJKoZIhvcNAQELBQADggEBACS5uEFtKuhVv4vU8RAbmUfmHZhcUmZx
        iHOdavNqXpk3n/BGFK76NrfpP9aUSkC+feqmTNBwMiuyyUWH2SdPW2AyefVwmNdb
        2St40QSzQhHa0qlZUgW19bua62IyDYnUsJnA2mfLCe4+IHrYkJwVRksRjIRTDkqg
        Weas2/pF8pSH8izjBH/76rUM9d5tPhekNaRudM+BHq5PldFNaEWlWMqGzuhshOc4
        zybmkJIbTcUbeXSh+Kg5N/ZvAso0NL9psApZkYxlFY5fxKO0m1TOICoOUkJ/+5G8
        Uct7GWZO8H3+xX6mz8mjwBmka2ej6rH0oiR9sDlT/bnFAYsuStO5hHE=
        -----END CERTIFICATE-----
        """

    static let other = """
        -----BEGIN PRIVATE KEY-----
        MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDG22JfX7V636Tg
        JbZ1KC7pNRk8ugxgf+gU6qohwLiWpvaNM9qF/lelO8Io+6cSGOhW/VwK+ejd8YXl
        O1sG0/LfEIA9tISNznJJetnVBUSgLmawhbx97GT7hYuBv+w76y3WJuBrhR3mdt3+
        WVn9MAAKUgn8vvSV4RgXpu9TeyQDFpvRXvCfgPR7gz/nbpO4LGk7kEH6Sf+kMTtZ
        M7jForXMGdUFq/unPJJcOVVfFjMN9E2rJ26/Be7vjUvRvcJSQHjzKhbAAmSgBGj2
        QatSZ2y9Gc5VOKaJKmWJAVDPQzK2Xs36FN8Ir7FXreWt0x4yjSWjqezX2Iyn4i0E
        2BsBXIkBAgMBAAECggEAB/z8IKoEQkwFoDN49uUxrTtC05utr5qzxKirQ5vYTm+l
        QTAvZmk8isNcc1pYmx4rsdg6Vak1tOS6OjvTgPIMCZtCFjh63VoeYTFG2uB790Cl
        7hARQwW3W3CWlWm+SvyRj3lpqSgPIW5DpgS03A+M5jKRes5jnjm38WCgBecmdTE7
        JOr/yxEA88ghmc3sWeVAuuVorYiWQTfBVaxs8cU9WkwwIC3kHluwc/EddQjU59d3
        bi/cFg8FyTNUGhCojOWs9vgr3nFLtQhrLSm1AyK4RPsqQXzTIm4dsRFNu5XYDm05
        Ju8g5SCm4GJs07JqQE/SjjgG6thge0cFUfj5x3Wk2QKBgQDxK6c4p+WCehBo9wtu
        /n2encYyCe+xOgrgVdPrD5hMP1jogkfg8AH/O17kv8ToFyUHU09yFDH5aFN98n3q
        shJEIEY/FeQpmOhcfujqpgQEuqBZQo6Fi3L1114drYDWtDxiBZA8Ua47epSxjPGt
        6d0+kchWGEdEiDMlnomgcgWR0wKBgQDTFai9RtAEkSDk4grFDxkL0T+BKf1+y1Ln
        B3tLdJzgOjWSC2U+BZ9uRySYWLGAUNFKVM0RzwXkANyWLiJZ58q2BnI/6SVY0OcA
        D2ieO77vM7uW+oJDz4DXK+7ndSrUbgLTyr4WqiY3du9WaOlq1Si4QtVbFoDyMogj
        wwtoTSShWwKBgQDsAQD6M2soPNU0MpVQv+AkSVc7fne+IgOktrjT7YXnD5KsrVkz
        qQr7PplFFtjVGlkVCxTSmSqyW8JgnN1Vv36ahk7Xy09k2YqBgXvirCWAjzT9RGF+
        FBGivGgQeMp80RHKBpG4RWJQOEusWDXlL9dfNIAsqEONsA8FQFiD1zDWGwKBgARQ
        4Q5dsEsnnICRjp7Q3DY9pQrDDQfWqG9I2+CDFeIPzqCZ0wwdmVDr63eh+J8jB+R5
        L2g5z2kGC3yWnOUxtBdcsmFUJwtV2iNKLV1u40yIxkEkBh3U1FGR+GSLJMELLsud
        zZ0xBW8E44fkxUEF8rsxwqMGJsTM+7OffVA4o5MZAoGBALhPUF/b5WQoaxcfoWIB
        Zo6Y2xnuD3ICQg/OItAzSvCZxSmTL3PHnYtLHU+lZK2eaiYS698VzJJt4KTr1p0r
        QjGUFqOa4yrzC+hdZudoGbmvv8nw1/VaxE9WBbXdDx/UJ2MHJk/kQi4zwcH5ALO7
        uksij+5liiTiGA4rW1DxlZoD
        -----END PRIVATE KEY-----
        -----BEGIN CERTIFICATE-----
        MIIDKTCCAhGgAwIBAgIUXyRleCWJq2o7wp/cP5LFG+LN08kwDQYJKoZIhvcNAQEL
        BQAwIzEhMB8GA1UEAwwYYWN0aXZpdHktc3luYyB0ZXN0IG90aGVyMCAXDTI2MTIw
        MjIyMjczNloYDzIxMjYxMTA4MjIyNzM2WjAjMSEwHwYDVQQDDBhhY3Rpdml0eS1z
        eW5jIHRlc3Qgb3RoZXIwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDG
        22JfX7V636TgJbZ1KC7pNRk8ugxgf+gU6qohwLiWpvaNM9qF/lelO8Io+6cSGOhW
        /VwK+ejd8YXlO1sG0/LfEIA9tISNznJJetnVBUSgLmawhbx97GT7hYuBv+w76y3W
        JuBrhR3mdt3+WVn9MAAKUgn8vvSV4RgXpu9TeyQDFpvRXvCfgPR7gz/nbpO4LGk7
        kEH6Sf+kMTtZM7jForXMGdUFq/unPJJcOVVfFjMN9E2rJ26/Be7vjUvRvcJSQHjz
        KhbAAmSgBGj2QatSZ2y9Gc5VOKaJKmWJAVDPQzK2Xs36FN8Ir7FXreWt0x4yjSWj
        qezX2Iyn4i0E2BsBXIkBAgMBAAGjUzBRMB0GA1UdDgQWBBQTS7TD3r/ZJVQ9VF2D
        9dARfzUaFTAfBgNVHSMEGDAWgBQTS7TD3r/ZJVQ9VF2D9dARfzUaFTAPBgNVHRMB
        Af8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBpm/8IVjcESPzbWyMD9d+HrEVn
        4pvispPAg0uYgLngVUsqDPUi0Rj5UyX+cYi01PWXfXpi5soPOJr7+kslQyjja1mp
        VdjaHnbC4yT8nBH312BU3FdRSW1gJA6zdhEQ6nJI37SigW0u8OqYz+FR/FnBamFR
        IYUSKIT9q2oxvGrIS2FjfhVe1uJKGji9V82jPejZw592zUt1RariFpth2ftXEqO0
        7Nwd0Rf0eBR0fhtL//ZhUGrwAj//AWZfSS94KxT5pCECVDhIvgUJB3hei0ZpqHEM
        Xfp+jaFctNHxC+5IG+lsUXyOUpCyWPZHIhN54QLnmf+zZ9GxIQur9fnrBL7U
        -----END CERTIFICATE-----
        """
}
