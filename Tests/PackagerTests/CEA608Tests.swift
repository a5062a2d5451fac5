@testable import Packager
import Testing

/// Our CEA-608 decoder and SCC reader on the classic Scenarist files and the quirks of
/// real streams: each cue what a TV showed, when it showed it.
@Suite struct CEA608Tests {
    func summary(_ cues: [SubtitleCue]) -> [String] {
        cues.map { "\(WebVTT.timestamp($0.start)) \(WebVTT.timestamp($0.end))\($0.settings.map { " [\($0)]" } ?? "") \($0.text)" }
    }

    func summary(_ reading: SubtitleReading) -> [String] { summary(reading.cues) }

    /// 7-bit pairs with odd parity added, fed one a frame from time 0.
    func decode(_ pairs: [(UInt8, UInt8)], channel: CEA608Decoder.Channel = .cc1) -> [SubtitleCue] {
        func parity(_ byte: UInt8) -> UInt8 { byte.nonzeroBitCount % 2 == 1 ? byte : byte | 0x80 }
        var decoder = CEA608Decoder(channel: channel)
        for (index, pair) in pairs.enumerated() { decoder.feed(parity(pair.0), parity(pair.1), at: Double(index) / 30) }
        decoder.finish(at: Double(pairs.count) / 30 + 1)
        return decoder.cues
    }

    func characters(_ text: String) -> [(UInt8, UInt8)] {
        let bytes = Array(text.utf8) + (text.utf8.count % 2 == 1 ? [0] : [])
        return stride(from: 0, to: bytes.count, by: 2).map { (bytes[$0], bytes[$0 + 1]) }
    }

    @Test func aPopOnFileShowsEachCaptionFromItsEOCToTheNextEOCOrEDM() {
        // RCL ENM PAC(row 14, indent 4) TO2 "Hello, world." PAC(row 15, indent 4) "How are you?" EOC, every control twice.
        let file = """
            Scenarist_SCC V1.0

            00:00:00:22	9420 9420 94ae 94ae 9452 9452 97a2 97a2 c8e5 ecec ef2c 20f7 eff2 ec64 ae80 94f2 94f2 c8ef f720 61f2 e520 79ef 75bf 942f 942f

            00:00:03:00	9420 9420 94ae 94ae 94e0 94e0 a8cd d5d3 4943 2980 942f 942f

            00:00:05:00	942c 942c

            """
        let reading = SCCReader.read(file)
        #expect(reading.dropped.isEmpty)
        #expect(summary(reading) == [
            "00:00:01.502 00:00:03.337 [position:20% align:start] Hello, world.\nHow are you?",
            "00:00:03.337 00:00:05.005 [position:10% align:start] (MUSIC)",
        ], "shown at the first EOC of each line (frame 22 + 23 words), the repeat ignored; cells placed by PAC and tab offset")
    }

    @Test func aControlCodeSentTwiceActsOncePaddingBetweenOrNot() {
        // "Hi", EOC, padding, EOC (its repeat): shown; a lone EOC two seconds on flips it away.
        let file = "Scenarist_SCC V1.0\n\n00:00:01:00\t9420 9420 94ae 94ae 94e0 94e0 c8e9 942f 8080 942f\n\n00:00:03:00\t942f\n"
        #expect(summary(SCCReader.read(file)) == ["00:00:01.235 00:00:03.003 [position:10% align:start] Hi"])
        // Three CRs in roll-up, the second a repeat: two scrolls.
        let cues = decode([(0x14, 0x26), (0x14, 0x2D)] + characters("A") + [(0x14, 0x2D), (0x14, 0x2D), (0x14, 0x2D)] + characters("B") + Array(repeating: (0, 0), count: 60))
        #expect(summary(cues) == [
            "00:00:00.067 00:00:00.167 [line:79.33% position:10% align:start] A",
            "00:00:00.167 00:00:03.233 [position:10% align:start] A\nB",
        ], "RU3: A two rows up, B below; three scrolls would have rolled A away")
    }

    @Test func rollUpShowsTheWholeWindowAsItScrolls() {
        // RU2 CR PAC(row 15) and a line, three times, then EDM.
        let file = """
            Scenarist_SCC V1.0

            00:00:01:00	9425 9425 94ad 94ad 94e0 94e0 4649 52d3 5420 4c49 ce45

            00:00:03:00	9425 9425 94ad 94ad 94e0 94e0 d345 434f cec4 204c 49ce 4580

            00:00:05:00	9425 9425 94ad 94ad 94e0 94e0 54c8 4952 c420 4c49 ce45

            00:00:07:00	942c 942c
            """
        #expect(summary(SCCReader.read(file)) == [
            "00:00:01.201 00:00:03.070 [position:10% align:start] FIRST LINE",
            "00:00:03.070 00:00:05.072 [position:10% align:start] FIRST LINE\nSECOND LINE",
            "00:00:05.072 00:00:07.007 [position:10% align:start] SECOND LINE\nTHIRD LINE",
        ], "a line painted in one burst is one cue; each CR ends the cue and starts the scrolled one")
    }

    @Test func rollUpFollowsThePACsBaseRow() {
        // RU3 CR PAC(row 13) "ONE" CR "TWO"; later PAC(row 15) moves the window down, CR "THREE".
        let file = """
            00:00:01:00	9426 9426 94ad 94ad 13e0 13e0 4fce 4580 94ad 94ad 5457 4f80
            00:00:03:00	94e0 94e0 94ad 94ad 54c8 5245 4580
            00:00:05:00	942c 942c
            """
        #expect(summary(SCCReader.read(file)) == [
            "00:00:01.201 00:00:03.003 [line:68.67% position:10% align:start] ONE\nTWO",
            "00:00:03.003 00:00:05.005 [position:10% align:start] ONE\nTWO\nTHREE",
        ], "no header: still SCC; a state held two frames is folded into the next")
    }

    @Test func paintOnCoalescesWhatIsPaintedWithinASecond() {
        // RDC PAC(row 15) "Paint", " on" 10 frames later, " later" 3 s on.
        let file = """
            Scenarist_SCC V1.0

            00:00:01:00	9429 9429 94e0 94e0 d061 e96e f480

            00:00:01:10	20ef 6e80

            00:00:04:00	20ec 61f4 e5f2

            00:00:06:00	942c 942c
            """
        #expect(summary(SCCReader.read(file)) == [
            "00:00:01.134 00:00:04.004 [position:10% align:start] Paint on",
            "00:00:04.004 00:00:06.006 [position:10% align:start] Paint on later",
        ])
    }

    @Test func paintOnEditsWithBackspaceAndDeleteToEndOfRow() {
        // "Hellp" BS "o there"; later PAC(row 15, indent 4) DER "!".
        let file = """
            Scenarist_SCC V1.0

            00:00:01:00	9429 9429 94e0 94e0 c8e5 ecec 7080 94a1 94a1 ef20 f468 e5f2 e580

            00:00:03:00	94f2 94f2 94a4 94a4 a180

            00:00:05:00	942c 942c
            """
        #expect(summary(SCCReader.read(file)) == [
            "00:00:01.134 00:00:01.235 [position:10% align:start] Hellp",
            "00:00:01.235 00:00:03.070 [position:10% align:start] Hello there",
            "00:00:03.070 00:00:05.005 [position:10% align:start] Hell!",
        ], "the two frames of \"Hell\" fold into the retyped line")
    }

    @Test func dropFrameAndNonDropTimecodesCountFramesAt29Point97() {
        #expect(SCCReader.frame("00:01:00;02") == 1800)
        #expect(SCCReader.frame("00:01:00.02") == 1800)
        #expect(SCCReader.frame("00:10:00;00") == 17982)
        #expect(SCCReader.frame("01:00:00;00") == 107_892)
        #expect(SCCReader.frame("00:01:00:02") == 1802)
        #expect(SCCReader.frame("01:00:00:00") == 108_000)
        #expect(abs(SCCReader.seconds(1800) - 60.06) < 1e-9)
        #expect(abs(SCCReader.seconds(108_000) - 3603.6) < 1e-9, "an hour of non-drop timecode is 3.6 s longer than an hour")
        for bad in ["00:00:60:00", "00:00:00:30", "0:0:0", "00:00:00:0x", "00:00:00:000", "+0:00:00:00"] { #expect(SCCReader.frame(bad[...]) == nil, "\(bad)") }
        let file = "Scenarist_SCC V1.0\n\n00:01:00;02\t9420 9420 94ae 94ae 94e0 94e0 c4f2 ef70 942f 942f\n\n00:01:02;00\t942c 942c\n"
        #expect(summary(SCCReader.read(file)) == ["00:01:00.327 00:01:01.995 [position:10% align:start] Drop"])
    }

    @Test func specialAndExtendedCharactersAndTheBasicSetsDifferences() {
        // ♪ " Caf" é " ñ÷■á" ¿ / "U" Ü "ber Stras" ß "e <&>"
        let file = """
            Scenarist_SCC V1.0

            00:00:01:00	9420 9420 94ae 94ae 9440 9440 9137 9137 2043 61e6 dc80 20fe 7c7f 2a80 91b3 91b3 94e0 94e0 d580 92a4 92a4 62e5 f220 d3f4 f261 7380 1334 1334 e520 bc26 3e80 942f 942f

            00:00:04:00	942c 942c
            """
        #expect(summary(SCCReader.read(file)) == ["00:00:02.035 00:00:04.004 [position:10% align:start] ♪ Café ñ÷■á¿\nÜber Straße &lt;&amp;&gt;"],
                "an extended character replaces the basic one sent before it")
    }

    @Test func italicsAndUnderlineFromPACsAndMidRowCodes() {
        // PAC(row 14, italics) "Whole row"; PAC(row 15) "This is" MR(italics) "italic" MR(white) "and" MR(underline) "under" MR(white) "."
        let file = """
            Scenarist_SCC V1.0

            00:00:01:00	9420 9420 94ae 94ae 94ce 94ce 5768 efec e520 f2ef f780 94e0 94e0 5468 e973 20e9 7380 91ae 91ae e9f4 61ec e9e3 9120 9120 616e 6480 91a1 91a1 756e 64e5 f280 9120 9120 ae80 942f 942f

            00:00:04:00	942c 942c
            """
        #expect(summary(SCCReader.read(file)) == ["00:00:02.135 00:00:04.004 [position:10% align:start] <i>Whole row</i>\nThis is <i>italic</i> and <u>under</u> ."],
                "a mid-row code shows as a space, in the styles both sides share")
    }

    @Test func pacRowsAndIndentsBecomeLineAndPositionSettings() {
        // PAC(row 1) "Top left"; PAC(row 8, indent 12) "centred"; PAC(row 15, indent 8) "bottom".
        let file = """
            Scenarist_SCC V1.0

            00:00:01:00	9420 9420 94ae 94ae 9140 9140 54ef 7020 ece5 e6f4 942f 942f

            00:00:02:00	9420 9420 94ae 94ae 1676 1676 e3e5 6ef4 f2e5 6480 942f 942f

            00:00:03:00	9420 9420 94ae 94ae 94f4 94f4 62ef f4f4 ef6d 942f 942f

            00:00:04:00	942c 942c
            """
        #expect(summary(SCCReader.read(file)) == [
            "00:00:01.335 00:00:02.336 [line:10% position:10% align:start] Top left",
            "00:00:02.336 00:00:03.303 [line:47.33%] centred",
            "00:00:03.303 00:00:04.004 [position:30% align:start] bottom",
        ], "rows over 80 % of the height, columns over 80 % of the width; centred bottom rows need no settings")
        #expect(summary(decode([(0x14, 0x20), (0x14, 0x76)] + characters("centred") + [(0x14, 0x2F)])) == ["00:00:00.200 00:00:01.233 centred"])
    }

    @Test func parityErrorsShowABlockInTextAndSilenceAControlCode() {
        // "H" then "i" without its parity bit; the first EOC without its parity bit, then a good one.
        let file = "Scenarist_SCC V1.0\n\n00:00:01:00\t9420 9420 94ae 94ae 94e0 94e0 c869 142f 942f\n\n00:00:02:00\t942c 942c\n"
        #expect(summary(SCCReader.read(file)) == ["00:00:01.268 00:00:02.002 [position:10% align:start] H■"])
    }

    @Test func garbageWordsAndLinesAreLeftOutAlone() {
        let file = "Scenarist_SCC V1.0\n\n00:00:01:00\t9420 9420 zz12 94ae 94ae 12345 94e0 94e0 c8e9 942f 942f\ngarbage here\n\n\n00:00:02:00\t942c 942c\n"
        let reading = SCCReader.read(file)
        #expect(summary(reading) == ["00:00:01.301 00:00:02.002 [position:10% align:start] Hi"], "a bad word still takes its frame")
        #expect(reading.notes == [
            SubtitleReading.Dropped(line: 3, reason: "its word \"zz12\" is not four hex digits"),
            SubtitleReading.Dropped(line: 3, reason: "its word \"12345\" is not four hex digits"),
            SubtitleReading.Dropped(line: 4, reason: "has no timecode (\"garbage here\")"),
        ])
        let notSCC = SCCReader.read("1\n00:00:01,000 --> 00:00:02,000\nan srt\n")
        #expect(notSCC == SubtitleReading(notes: [SubtitleReading.Dropped(line: 1, reason: "is not Scenarist SCC (no header, no line of timecode and words)")]))
    }

    @Test func linesOutOfOrderAreReadInTimeOrderAndOverlapsFollowOn() {
        // The EDM at 3 s comes first; the line at 1:06 starts while 1:00's padding is still being sent.
        let file = """
            Scenarist_SCC V1.0

            00:00:03:00	942c 942c
            00:00:01:00	9420 9420 94ae 94ae 94e0 94e0 c8e9 942f 942f 8080 8080 8080 8080 8080 8080
            00:00:01:06	942c 942c
            """
        #expect(summary(SCCReader.read(file)) == ["00:00:01.235 00:00:01.502 [position:10% align:start] Hi"])
    }

    @Test func textModeAndACaptionWithoutItsEndAreHandled() {
        // TR "text mode" (not captions), then a pop-on caption never erased: shown 4 s.
        let file = "Scenarist_SCC V1.0\n\n00:00:01:00\t942a 942a f4e5 f8f4 206d ef64 e580 9420 9420 94ae 94ae 94e0 94e0 c8e9 942f 942f\n"
        #expect(summary(SCCReader.read(file)) == ["00:00:01.468 00:00:05.468 [position:10% align:start] Hi"])
    }

    @Test func channelsAreChosenByTheControlCodesFirstByte() {
        // CC1 "Hi" and CC2 "Hola" interleaved, each RCL ENM PAC text EOC.
        let pairs: [(UInt8, UInt8)] = [(0x14, 0x20), (0x14, 0x2E), (0x14, 0x70)] + characters("Hi")
            + [(0x1C, 0x20), (0x1C, 0x2E), (0x1C, 0x70)] + characters("Hola") + [(0x1C, 0x2F), (0x14, 0x2F)]
        #expect(summary(decode(pairs)) == ["00:00:00.333 00:00:01.367 [position:10% align:start] Hi"])
        #expect(summary(decode(pairs, channel: .cc2)) == ["00:00:00.300 00:00:01.367 [position:10% align:start] Hola"])
    }

    @Test func fieldTwoTakesItsOwnMiscCodesAndSkipsXDS() {
        // CC3 with 0x15 RCL/ENM/EOC, an XDS packet (start, data, end) inside the caption's text.
        let pairs: [(UInt8, UInt8)] = [(0x15, 0x20), (0x15, 0x2E), (0x14, 0x70)] + characters("Ho")
            + [(0x01, 0x03), (0x54, 0x56), (0x0F, 0x1D)] + characters("la") + [(0x15, 0x2F)]
        #expect(summary(decode(pairs, channel: .cc3)) == ["00:00:00.267 00:00:01.300 [position:10% align:start] Hola"])
        #expect(decode(pairs, channel: .cc1).isEmpty, "field 1 does not read 0x15's codes as a CC1 EOC")
    }

    @Test func hostileInputStaysInTheGrid() {
        // 40 characters on one row, tabs past the edge, PACs of every byte, backspaces at column 0.
        var pairs: [(UInt8, UInt8)] = [(0x14, 0x29), (0x14, 0x70)] + characters(String(repeating: "x", count: 40)) + [(0x17, 0x23), (0x17, 0x23)]
        for second in UInt8(0x40)...0x7F { pairs += [(0x10, second), (0x14, 0x21), (0x41, 0x42)] }
        let cues = decode(pairs)
        #expect(!cues.isEmpty && cues.allSatisfy { $0.end > $0.start && !$0.text.isEmpty })
        func shown(_ line: Substring) -> Int { line.split(separator: "<", omittingEmptySubsequences: false).enumerated().map { $0.offset == 0 ? $0.element.count : $0.element.drop { $0 != ">" }.count - 1 }.reduce(0, +) }
        #expect(cues.allSatisfy { $0.text.split(separator: "\n").allSatisfy { shown($0) <= CEA608Screen.columns } }, "32 columns, tags aside")
    }
}
