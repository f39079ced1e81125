import Foundation

/// IANA zone names (the CRM's) to Windows zone ids (EWS's `TimeZoneContext`, `StartTimeZone`), after
/// CLDR's windowsZones table: the first IANA name of each row is the zone CLDR gives for territory
/// "001", the others are the ones it lists for other territories and common aliases. Rows follow
/// tzdata 2025b where it moved zones (Kazakhstan on +5, Scoresbysund with Nuuk, Casey on +8); tzdata's
/// aliases (`WindowsTimeZone.links`) map by the zone they name. A test checks that every zone name the
/// system accepts maps, with the offsets of its Windows zone, 2026 to 2030.
public enum WindowsTimeZone {
    /// The Windows id for an IANA zone or one of its aliases, or nil when it has none (Antarctica/Troll's
    /// summer offset has no Windows zone): such a zone is refused wherever it is set, never sent as UTC.
    public static func id(forIANA zone: String) -> String? { byIANA[zone] }

    /// Why a zone cannot be an employee's or the default one, or nil when it can: it must be a zone the
    /// system knows and one Exchange can be told (a Windows id), or items would go out in UTC and all-day
    /// items and due dates shift a day.
    public static func problem(with zone: String) -> String? {
        guard TimeZone(identifier: zone) != nil else { return "not an IANA time zone (e.g. Europe/Amsterdam)" }
        guard id(forIANA: zone) != nil else {
            return "has no Windows time zone Exchange knows (CLDR windowsZones); use a zone with the same rules"
        }
        return nil
    }

    /// The IANA zone CLDR gives for a Windows id (territory "001").
    public static func primaryIANA(forWindows id: String) -> String? {
        rows.first { $0.windows == id }.flatMap { $0.zones.split(separator: " ").first.map(String.init) }
    }

    /// Every row with its zones split (for tests and `config check`).
    public static var allRows: [(windows: String, zones: [String])] {
        rows.map { ($0.windows, $0.zones.split(separator: " ").map(String.init)) }
    }

    /// Every row: Windows id and the IANA zones that map to it.
    static let rows: [(windows: String, zones: String)] = [
        ("Dateline Standard Time", "Etc/GMT+12"),
        ("UTC-11", "Etc/GMT+11 Pacific/Midway Pacific/Pago_Pago Pacific/Niue"),
        ("Aleutian Standard Time", "America/Adak"),
        ("Hawaiian Standard Time", "Pacific/Honolulu Pacific/Rarotonga Pacific/Tahiti"),
        ("Marquesas Standard Time", "Pacific/Marquesas"),
        (
            "Alaskan Standard Time",
            "America/Anchorage America/Juneau America/Sitka America/Nome America/Yakutat America/Metlakatla"
        ),
        ("UTC-09", "Etc/GMT+9 Pacific/Gambier"),
        ("Pacific Standard Time (Mexico)", "America/Tijuana"),
        ("UTC-08", "Etc/GMT+8 Pacific/Pitcairn"),
        ("Pacific Standard Time", "America/Los_Angeles America/Vancouver PST8PDT"),
        (
            "US Mountain Standard Time",
            "America/Phoenix America/Creston America/Dawson_Creek America/Fort_Nelson America/Hermosillo"
        ),
        ("Mountain Standard Time (Mexico)", "America/Mazatlan"),
        (
            "Mountain Standard Time",
            "America/Denver America/Edmonton America/Boise America/Cambridge_Bay America/Inuvik MST7MDT America/Ciudad_Juarez"
        ),
        ("Yukon Standard Time", "America/Whitehorse America/Dawson"),
        (
            "Central America Standard Time",
            "America/Guatemala America/Belize America/Costa_Rica America/El_Salvador America/Managua America/Tegucigalpa Pacific/Galapagos"
        ),
        (
            "Central Standard Time",
            "America/Chicago America/Winnipeg America/Indiana/Knox America/Menominee America/Rankin_Inlet America/Matamoros CST6CDT America/Indiana/Tell_City America/North_Dakota/Beulah America/North_Dakota/Center America/North_Dakota/New_Salem America/Ojinaga America/Resolute"
        ),
        ("Easter Island Standard Time", "Pacific/Easter"),
        (
            "Central Standard Time (Mexico)",
            "America/Mexico_City America/Monterrey America/Merida America/Bahia_Banderas America/Chihuahua"
        ),
        ("Canada Central Standard Time", "America/Regina America/Swift_Current"),
        (
            "SA Pacific Standard Time",
            "America/Bogota America/Lima America/Guayaquil America/Panama America/Jamaica America/Cayman America/Rio_Branco America/Eirunepe America/Coral_Harbour America/Atikokan"
        ),
        ("Eastern Standard Time (Mexico)", "America/Cancun"),
        (
            "Eastern Standard Time",
            "America/New_York America/Toronto America/Detroit America/Nassau America/Iqaluit America/Kentucky/Louisville America/Louisville EST5EDT America/Indiana/Petersburg America/Indiana/Vincennes America/Indiana/Winamac America/Kentucky/Monticello"
        ),
        ("Haiti Standard Time", "America/Port-au-Prince"),
        ("Cuba Standard Time", "America/Havana"),
        (
            "US Eastern Standard Time",
            "America/Indianapolis America/Indiana/Indianapolis America/Indiana/Marengo America/Indiana/Vevay"
        ),
        ("Turks And Caicos Standard Time", "America/Grand_Turk"),
        ("Paraguay Standard Time", "America/Asuncion"),
        (
            "Atlantic Standard Time",
            "America/Halifax America/Glace_Bay America/Goose_Bay America/Moncton Atlantic/Bermuda America/Thule"
        ),
        ("Venezuela Standard Time", "America/Caracas"),
        ("Central Brazilian Standard Time", "America/Cuiaba America/Campo_Grande"),
        (
            "SA Western Standard Time",
            "America/La_Paz America/Manaus America/Santo_Domingo America/Puerto_Rico America/Barbados America/Martinique America/Port_of_Spain America/Guyana America/Anguilla America/Antigua America/Aruba America/Blanc-Sablon America/Boa_Vista America/Curacao America/Dominica America/Grenada America/Guadeloupe America/Montserrat America/Porto_Velho America/St_Kitts America/St_Lucia America/St_Thomas America/St_Vincent America/Tortola"
        ),
        ("Pacific SA Standard Time", "America/Santiago"),
        ("Newfoundland Standard Time", "America/St_Johns"),
        ("Tocantins Standard Time", "America/Araguaina"),
        ("E. South America Standard Time", "America/Sao_Paulo"),
        (
            "SA Eastern Standard Time",
            "America/Cayenne America/Paramaribo America/Fortaleza America/Belem America/Recife America/Maceio Antarctica/Rothera Atlantic/Stanley America/Santarem"
        ),
        (
            "Argentina Standard Time",
            "America/Buenos_Aires America/Argentina/Buenos_Aires America/Argentina/Cordoba America/Cordoba America/Argentina/Mendoza America/Mendoza America/Argentina/Catamarca America/Argentina/Jujuy America/Argentina/La_Rioja America/Argentina/Rio_Gallegos America/Argentina/Salta America/Argentina/San_Juan America/Argentina/San_Luis America/Argentina/Tucuman America/Argentina/Ushuaia"
        ),
        ("Greenland Standard Time", "America/Godthab America/Nuuk America/Scoresbysund"),
        ("Montevideo Standard Time", "America/Montevideo"),
        ("Magallanes Standard Time", "America/Punta_Arenas America/Coyhaique Antarctica/Palmer"),
        ("Saint Pierre Standard Time", "America/Miquelon"),
        ("Bahia Standard Time", "America/Bahia"),
        ("UTC-02", "Etc/GMT+2 America/Noronha Atlantic/South_Georgia"),
        ("Azores Standard Time", "Atlantic/Azores"),
        ("Cape Verde Standard Time", "Atlantic/Cape_Verde Etc/GMT+1"),
        ("UTC", "Etc/UTC UTC Etc/GMT GMT Etc/Universal Etc/Zulu America/Danmarkshavn"),
        (
            "GMT Standard Time",
            "Europe/London Europe/Dublin Europe/Lisbon Atlantic/Canary Atlantic/Faeroe Atlantic/Faroe Atlantic/Madeira Europe/Guernsey Europe/Isle_of_Man Europe/Jersey"
        ),
        (
            "Greenwich Standard Time",
            "Atlantic/Reykjavik Africa/Abidjan Africa/Accra Africa/Bamako Africa/Dakar Africa/Monrovia Atlantic/St_Helena Africa/Banjul Africa/Bissau Africa/Conakry Africa/Freetown Africa/Lome Africa/Nouakchott Africa/Ouagadougou"
        ),
        ("Sao Tome Standard Time", "Africa/Sao_Tome"),
        ("Morocco Standard Time", "Africa/Casablanca Africa/El_Aaiun"),
        (
            "W. Europe Standard Time",
            "Europe/Berlin Europe/Amsterdam Europe/Rome Europe/Stockholm Europe/Vienna Europe/Zurich Europe/Oslo Europe/Luxembourg Europe/Monaco Europe/Andorra Europe/Malta Europe/Vaduz Europe/San_Marino Europe/Vatican Europe/Gibraltar Europe/Busingen Arctic/Longyearbyen"
        ),
        (
            "Central Europe Standard Time",
            "Europe/Budapest Europe/Prague Europe/Bratislava Europe/Belgrade Europe/Ljubljana Europe/Tirane Europe/Podgorica"
        ),
        ("Romance Standard Time", "Europe/Paris Europe/Brussels Europe/Madrid Europe/Copenhagen Africa/Ceuta"),
        ("Central European Standard Time", "Europe/Warsaw Europe/Sarajevo Europe/Skopje Europe/Zagreb"),
        (
            "W. Central Africa Standard Time",
            "Africa/Lagos Africa/Algiers Africa/Tunis Africa/Kinshasa Africa/Luanda Africa/Douala Africa/Ndjamena Africa/Bangui Africa/Brazzaville Africa/Libreville Africa/Malabo Africa/Niamey Africa/Porto-Novo"
        ),
        ("Jordan Standard Time", "Asia/Amman"),
        ("GTB Standard Time", "Europe/Bucharest Europe/Athens Asia/Nicosia Asia/Famagusta"),
        ("Middle East Standard Time", "Asia/Beirut"),
        ("Egypt Standard Time", "Africa/Cairo"),
        ("E. Europe Standard Time", "Europe/Chisinau"),
        ("Syria Standard Time", "Asia/Damascus"),
        ("West Bank Standard Time", "Asia/Hebron Asia/Gaza"),
        (
            "South Africa Standard Time",
            "Africa/Johannesburg Africa/Maputo Africa/Harare Africa/Lusaka Africa/Gaborone Africa/Maseru Africa/Mbabane Africa/Blantyre Africa/Kigali Africa/Lubumbashi Africa/Bujumbura"
        ),
        (
            "FLE Standard Time",
            "Europe/Kiev Europe/Kyiv Europe/Helsinki Europe/Riga Europe/Sofia Europe/Tallinn Europe/Vilnius Europe/Mariehamn"
        ),
        ("Israel Standard Time", "Asia/Jerusalem Asia/Tel_Aviv"),
        ("South Sudan Standard Time", "Africa/Juba"),
        ("Kaliningrad Standard Time", "Europe/Kaliningrad"),
        ("Sudan Standard Time", "Africa/Khartoum"),
        ("Libya Standard Time", "Africa/Tripoli"),
        ("Namibia Standard Time", "Africa/Windhoek"),
        ("Arabic Standard Time", "Asia/Baghdad"),
        ("Turkey Standard Time", "Europe/Istanbul Asia/Istanbul"),
        ("Arab Standard Time", "Asia/Riyadh Asia/Kuwait Asia/Qatar Asia/Bahrain Asia/Aden"),
        ("Belarus Standard Time", "Europe/Minsk"),
        ("Russian Standard Time", "Europe/Moscow Europe/Kirov Europe/Simferopol"),
        (
            "E. Africa Standard Time",
            "Africa/Nairobi Africa/Addis_Ababa Africa/Dar_es_Salaam Africa/Kampala Africa/Mogadishu Africa/Djibouti Africa/Asmera Indian/Antananarivo Indian/Comoro Indian/Mayotte Africa/Asmara Antarctica/Syowa"
        ),
        ("Volgograd Standard Time", "Europe/Volgograd"),
        ("Iran Standard Time", "Asia/Tehran"),
        ("Arabian Standard Time", "Asia/Dubai Asia/Muscat Etc/GMT-4"),
        ("Astrakhan Standard Time", "Europe/Astrakhan Europe/Ulyanovsk"),
        ("Azerbaijan Standard Time", "Asia/Baku"),
        ("Russia Time Zone 3", "Europe/Samara"),
        ("Mauritius Standard Time", "Indian/Mauritius Indian/Reunion Indian/Mahe"),
        ("Saratov Standard Time", "Europe/Saratov"),
        ("Georgian Standard Time", "Asia/Tbilisi"),
        ("Caucasus Standard Time", "Asia/Yerevan"),
        ("Afghanistan Standard Time", "Asia/Kabul"),
        (
            "West Asia Standard Time",
            "Asia/Tashkent Asia/Samarkand Asia/Dushanbe Asia/Ashgabat Asia/Almaty Asia/Qostanay Antarctica/Vostok Asia/Aqtau Asia/Aqtobe Asia/Atyrau Asia/Oral Indian/Maldives Indian/Kerguelen Antarctica/Mawson"
        ),
        ("Ekaterinburg Standard Time", "Asia/Yekaterinburg"),
        ("Pakistan Standard Time", "Asia/Karachi"),
        ("Qyzylorda Standard Time", "Asia/Qyzylorda"),
        ("India Standard Time", "Asia/Calcutta Asia/Kolkata"),
        ("Sri Lanka Standard Time", "Asia/Colombo"),
        ("Nepal Standard Time", "Asia/Katmandu Asia/Kathmandu"),
        ("Central Asia Standard Time", "Asia/Bishkek Asia/Urumqi Indian/Chagos"),
        ("Bangladesh Standard Time", "Asia/Dhaka Asia/Thimphu"),
        ("Omsk Standard Time", "Asia/Omsk"),
        ("Myanmar Standard Time", "Asia/Rangoon Asia/Yangon Indian/Cocos"),
        (
            "SE Asia Standard Time",
            "Asia/Bangkok Asia/Jakarta Asia/Saigon Asia/Ho_Chi_Minh Asia/Phnom_Penh Asia/Vientiane Asia/Pontianak Indian/Christmas Antarctica/Davis"
        ),
        ("Altai Standard Time", "Asia/Barnaul"),
        ("W. Mongolia Standard Time", "Asia/Hovd"),
        ("North Asia Standard Time", "Asia/Krasnoyarsk Asia/Novokuznetsk"),
        ("N. Central Asia Standard Time", "Asia/Novosibirsk"),
        ("Tomsk Standard Time", "Asia/Tomsk"),
        ("China Standard Time", "Asia/Shanghai Asia/Hong_Kong Asia/Macau PRC"),
        ("North Asia East Standard Time", "Asia/Irkutsk"),
        (
            "Singapore Standard Time",
            "Asia/Singapore Asia/Kuala_Lumpur Asia/Manila Asia/Makassar Asia/Brunei Asia/Kuching"
        ),
        ("W. Australia Standard Time", "Australia/Perth Antarctica/Casey"),
        ("Taipei Standard Time", "Asia/Taipei"),
        ("Ulaanbaatar Standard Time", "Asia/Ulaanbaatar Asia/Choibalsan"),
        ("Aus Central W. Standard Time", "Australia/Eucla"),
        ("Transbaikal Standard Time", "Asia/Chita"),
        ("Tokyo Standard Time", "Asia/Tokyo Asia/Jayapura Pacific/Palau Asia/Dili"),
        ("North Korea Standard Time", "Asia/Pyongyang"),
        ("Korea Standard Time", "Asia/Seoul"),
        ("Yakutsk Standard Time", "Asia/Yakutsk Asia/Khandyga"),
        ("Cen. Australia Standard Time", "Australia/Adelaide Australia/Broken_Hill"),
        ("AUS Central Standard Time", "Australia/Darwin"),
        ("E. Australia Standard Time", "Australia/Brisbane Australia/Lindeman"),
        ("AUS Eastern Standard Time", "Australia/Sydney Australia/Melbourne"),
        (
            "West Pacific Standard Time",
            "Pacific/Port_Moresby Pacific/Guam Pacific/Saipan Pacific/Truk Antarctica/DumontDUrville Pacific/Chuuk"
        ),
        ("Tasmania Standard Time", "Australia/Hobart Antarctica/Macquarie"),
        ("Vladivostok Standard Time", "Asia/Vladivostok Asia/Ust-Nera"),
        ("Lord Howe Standard Time", "Australia/Lord_Howe"),
        ("Bougainville Standard Time", "Pacific/Bougainville"),
        ("Russia Time Zone 10", "Asia/Srednekolymsk"),
        ("Magadan Standard Time", "Asia/Magadan"),
        ("Norfolk Standard Time", "Pacific/Norfolk"),
        ("Sakhalin Standard Time", "Asia/Sakhalin"),
        (
            "Central Pacific Standard Time",
            "Pacific/Guadalcanal Pacific/Efate Pacific/Noumea Pacific/Ponape Pacific/Kosrae Pacific/Pohnpei"
        ),
        ("Russia Time Zone 11", "Asia/Kamchatka Asia/Anadyr"),
        ("New Zealand Standard Time", "Pacific/Auckland Antarctica/McMurdo"),
        (
            "UTC+12",
            "Etc/GMT-12 Pacific/Tarawa Pacific/Majuro Pacific/Kwajalein Pacific/Nauru Pacific/Funafuti Pacific/Wake Pacific/Wallis"
        ),
        ("Fiji Standard Time", "Pacific/Fiji"),
        ("Chatham Islands Standard Time", "Pacific/Chatham"),
        ("UTC+13", "Etc/GMT-13 Pacific/Enderbury Pacific/Kanton Pacific/Fakaofo"),
        ("Tonga Standard Time", "Pacific/Tongatapu"),
        ("Samoa Standard Time", "Pacific/Apia"),
        ("Line Islands Standard Time", "Pacific/Kiritimati"),
    ]

    /// The rows' zones, then tzdata's aliases by the zone they name (or that zone by an alias CLDR lists).
    private static let byIANA: [String: String] = {
        var map: [String: String] = [:]
        for row in rows {
            for zone in row.zones.split(separator: " ") where map[String(zone)] == nil {
                map[String(zone)] = row.windows
            }
        }
        func target(_ alias: String) -> String {
            var zone = alias
            for _ in 0..<4 { zone = links[zone] ?? zone }
            return zone
        }
        // (Twice: a zone mapped by its alias in the second loop maps its other aliases in the next first one.)
        let aliases = links.keys.sorted()
        for _ in 0..<2 {
            for alias in aliases where map[alias] == nil { map[alias] = map[target(alias)] }
            for alias in aliases where map[target(alias)] == nil { map[target(alias)] = map[alias] }
        }
        return map
    }()
}
