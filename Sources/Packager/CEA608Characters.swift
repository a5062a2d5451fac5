/// The characters of CEA-608: the basic set (ASCII but for ten codes), the special set
/// (`0x11`/`0x19` then `0x30`–`0x3F`) and the two extended Western European sets (`0x12`/`0x1A`
/// and `0x13`/`0x1B` then `0x20`–`0x3F`), each of which replaces the character before it.
enum CEA608Characters {
    /// A basic character, `0x20`–`0x7F`.
    static func basic(_ code: UInt8) -> Character {
        switch code {
        case 0x2A: "á"
        case 0x5C: "é"
        case 0x5E: "í"
        case 0x5F: "ó"
        case 0x60: "ú"
        case 0x7B: "ç"
        case 0x7C: "÷"
        case 0x7D: "Ñ"
        case 0x7E: "ñ"
        case 0x7F: "■"
        default: Character(Unicode.Scalar(code))
        }
    }

    /// A special character, `0x30`–`0x3F` (`0x39`, the transparent space, as a space).
    static func special(_ code: UInt8) -> Character {
        specials[Int(code & 0x0F)]
    }

    /// An extended character: `set` 0 (Spanish, French, miscellaneous) or 1 (Portuguese,
    /// German, Danish), `code` `0x20`–`0x3F`.
    static func extended(set: Int, _ code: UInt8) -> Character {
        extendeds[set][Int(code - 0x20)]
    }

    private static let specials = Array("®°½¿™¢£♪à èâêîôû")
    private static let extendeds = [Array("ÁÉÓÚÜü‘¡*’—©℠•“”ÀÂÇÈÊËëÎÏïÔÙùÛ«»"), Array("ÃãÍÌìÒòÕõ{}\\^_¦~ÄäÖöß¥¤|ÅåØø┌┐└┘")]
}
