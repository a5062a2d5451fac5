/// CEA-608 (line 21) captions of one channel, decoded from the byte pairs of its field as
/// they arrive (an SCC file's words, or the field 1 `cc_data` of A/53 video SEI at the
/// times of their frames), as cues of what a TV showed (CEA-608-E):
///
/// - Each state of the displayed memory is a cue, from when it appeared to when it
///   changed. Pop-on shows a caption at EOC and ends it at the EOC or EDM that replaces it.
/// - Roll-up and paint-on put characters on screen as they arrive: characters that only
///   add to the screen within `paintingWindow` of a cue's start join that cue (a TV paints
///   them faster than anyone reads them), so a painted line is one cue, not one a letter;
///   a scroll (CR), an erasure or later characters start the next cue with the whole screen.
/// - A state held less than `flicker` is no cue of its own: the next takes its start (a
///   letter BS'd and retyped, the basic character an extended one replaces).
///
/// Bytes must have odd parity: a control code with a parity error is ignored (its repeat
/// then acts), a character with one shows as ■, as the standard asks. A control code sent
/// twice acts once; padding (`0x80 0x80`) between the two does not part them. Text mode
/// (TR, RTD) and XDS are left out; colours, flash and background attributes are not kept.
/// Times that go back are taken as the last time.
struct CEA608Decoder {
    /// CC1 and CC2 share field 1, CC3 and CC4 field 2 (fed by their own decoder); the first
    /// byte of each control code says which of its field's two channels what follows is for.
    enum Channel: Sendable {
        case cc1, cc2, cc3, cc4

        var isFieldTwo: Bool { self == .cc3 || self == .cc4 }
        var isSecondOfField: Bool { self == .cc2 || self == .cc4 }
    }

    /// How characters reach the screen: loaded behind it and shown whole at EOC, rolled up
    /// a window `rows` deep from its base row, or painted on it where they fall.
    enum CaptionMode: Equatable {
        case popOn, rollUp(rows: Int), paintOn
    }

    /// The miscellaneous control codes: `0x14`/`0x1C` then these (in field 2 also `0x15`/`0x1D`,
    /// the standard's own there, while many encoders send field 1's).
    private enum Command: UInt8 {
        case resumeCaptionLoading = 0x20, backspace, alarmOff, alarmOn, deleteToEndOfRow
        case rollUp2, rollUp3, rollUp4, flashOn, resumeDirectCaptioning, textRestart, resumeTextDisplay
        case eraseDisplayedMemory, carriageReturn, eraseNonDisplayedMemory, endOfCaption
    }

    /// The displayed memory's state, since `start`, not yet ended.
    private struct Shown {
        var caption: CEA608Screen.Caption
        var screen: CEA608Screen
        var start: Double
    }

    /// Under three frames: shorter than anyone reads.
    static let flicker = 0.09
    static let paintingWindow = 1.0

    /// The cues so far (at most `SubtitleReading.maximumCues`), in order of start.
    private(set) var cues: [SubtitleCue] = []

    private let channel: Channel
    private var listening: Bool
    private var inXDS = false, inTextMode = false
    private var previousControl: UInt16?
    private var mode = CaptionMode.popOn
    private var displayed = CEA608Screen(), nonDisplayed = CEA608Screen()
    private var row = CEA608Screen.rows - 1, column = 0, baseRow = CEA608Screen.rows - 1
    private var style = CEA608Screen.Style()
    private var displayChanged = false
    private var shown: Shown?
    private var now = -Double.greatestFiniteMagnitude

    init(channel: Channel = .cc1) {
        self.channel = channel
        listening = !channel.isSecondOfField
    }

    /// When the caption on screen appeared; nil when none is.
    var showingSince: Double? { shown?.start }

    mutating func feed(_ byte1: UInt8, _ byte2: UInt8, at seconds: Double) {
        if seconds.isFinite { now = max(now, seconds) }
        receive(byte1, byte2)
        if displayChanged { settle() }
    }

    /// Ends the caption on screen at `seconds`: the end of the stream.
    mutating func finish(at seconds: Double) {
        if seconds.isFinite { now = max(now, seconds) }
        if let shown, now > shown.start { emit(shown) }
        shown = nil
    }

    static func hasOddParity(_ byte: UInt8) -> Bool { byte.nonzeroBitCount % 2 == 1 }

    /// One pair: padding, a control code, XDS (field 2), or one or two characters.
    private mutating func receive(_ byte1: UInt8, _ byte2: UInt8) {
        let first = byte1 & 0x7F, second = byte2 & 0x7F
        switch first {
        case 0x00 where second == 0x00:
            return
        case 0x10...0x1F:
            if Self.hasOddParity(byte1), Self.hasOddParity(byte2), second >= 0x20 { control(first, second) }
        case 0x01...0x0F where channel.isFieldTwo:
            previousControl = nil
            if Self.hasOddParity(byte1) { inXDS = first != 0x0F }
        default:
            previousControl = nil
            guard listening, !inXDS, !inTextMode else { return }
            for byte in [byte1, byte2] where byte & 0x7F >= 0x20 {
                write(Self.hasOddParity(byte) ? CEA608Characters.basic(byte & 0x7F) : "■")
            }
        }
    }

    /// A control code (`0x10`–`0x1F`, then `0x20`–`0x7F`), unless it repeats the pair before.
    private mutating func control(_ first: UInt8, _ second: UInt8) {
        let code = UInt16(first) << 8 | UInt16(second)
        if previousControl == code {
            previousControl = nil
            return
        }
        previousControl = code
        inXDS = false
        listening = (first & 0x08 != 0) == channel.isSecondOfField
        guard listening else { return }
        let group = first & 0x17
        let commands: ClosedRange<UInt8> = channel.isFieldTwo ? 0x14...0x15 : 0x14...0x14
        if commands.contains(group), (0x20...0x2F).contains(second), let command = Command(rawValue: second) {
            self.command(command)
        } else if !inTextMode {
            captionControl(group, second)
        }
    }

    /// A preamble address code, a mid-row code, a special or extended character, a tab offset.
    private mutating func captionControl(_ group: UInt8, _ second: UInt8) {
        switch (group, second) {
        case (_, 0x40...0x7F): preamble(group, second)
        case (0x11, 0x20...0x2F): midRow(second)
        case (0x11, 0x30...0x3F): write(CEA608Characters.special(second))
        case (0x12...0x13, 0x20...0x3F):
            backspace()
            write(CEA608Characters.extended(set: Int(group - 0x12), second))
        case (0x17, 0x21...0x23): column = min(column + Int(second & 0x03), CEA608Screen.columns - 1)
        default: break  // background and foreground attributes, character set selection
        }
    }

    private mutating func command(_ command: Command) {
        switch command {
        case .resumeCaptionLoading: select(.popOn)
        case .resumeDirectCaptioning: select(.paintOn)
        case .rollUp2, .rollUp3, .rollUp4: rollUp(rows: Int(command.rawValue - Command.rollUp2.rawValue) + 2)
        case .textRestart, .resumeTextDisplay: inTextMode = true
        case .eraseDisplayedMemory:
            displayed.erase()
            displayChanged = true
        case .eraseNonDisplayedMemory: nonDisplayed.erase()
        case .endOfCaption:
            swap(&displayed, &nonDisplayed)
            displayChanged = true
            select(.popOn)
        case .backspace where !inTextMode: backspace()
        case .deleteToEndOfRow where !inTextMode:
            let (row, column) = (row, column)
            edit { $0.erase(row: row, from: column) }
        case .carriageReturn where !inTextMode: carriageReturn()
        default: break  // alarms, flash, and text mode's own editing
        }
    }

    private mutating func select(_ mode: CaptionMode) {
        self.mode = mode
        inTextMode = false
    }

    /// RU2–RU4: from pop-on or paint-on both memories are erased and the window sits on row
    /// 15; in roll-up the window keeps its base row (moved down if the new depth needs it)
    /// and the rows above it are erased.
    private mutating func rollUp(rows: Int) {
        if case .rollUp(let depth) = mode {
            if baseRow < rows - 1 { moveWindow(depth: depth, to: rows - 1) }
        } else {
            displayed.erase()
            nonDisplayed.erase()
            baseRow = CEA608Screen.rows - 1
            (row, column) = (baseRow, 0)
        }
        select(.rollUp(rows: rows))
        displayed.erase(outside: window(rows))
        displayChanged = true
    }

    /// The rows of a roll-up window `rows` deep.
    private func window(_ rows: Int) -> ClosedRange<Int> { (baseRow - rows + 1)...baseRow }

    private mutating func moveWindow(depth: Int, to base: Int) {
        guard base != baseRow else { return }
        displayed.move(window(depth), by: base - baseRow)
        baseRow = base
        row = base
        displayChanged = true
    }

    private mutating func carriageReturn() {
        guard case .rollUp(let rows) = mode else { return }
        displayed.rollUp(window(rows))
        (row, column) = (baseRow, 0)
        displayChanged = true
    }

    /// A PAC: row 1–15 (in roll-up the window's base row, the rows moving with it), the
    /// indent 0–28, italics or not, underline or not; its colour is not kept.
    private mutating func preamble(_ group: UInt8, _ second: UInt8) {
        guard let target = Self.row(group, lower: second >= 0x60) else { return }
        let attribute = Int(second & 0x1E) >> 1
        style = CEA608Screen.Style(italic: attribute == 7, underline: second & 0x01 == 1)
        column = attribute >= 8 ? (attribute - 8) * 4 : 0
        if case .rollUp(let rows) = mode {
            moveWindow(depth: rows, to: max(target, rows - 1))
            row = baseRow
        } else {
            row = target
        }
    }

    /// The 0-based row of a PAC's first byte (`0x10`–`0x17`) and the half of the second byte's range it is in.
    private static func row(_ group: UInt8, lower: Bool) -> Int? {
        if group == 0x10 && lower { return nil }
        return [10, 0, 2, 11, 13, 4, 6, 8][Int(group & 0x07)] + (lower ? 1 : 0)
    }

    /// A mid-row code: shown as a space, the style after it italics (or not: a colour ends
    /// italics) and underline (or not); the space keeps the styles both sides share.
    private mutating func midRow(_ second: UInt8) {
        let next = CEA608Screen.Style(italic: second & 0x0E == 0x0E, underline: second & 0x01 == 1)
        style = CEA608Screen.Style(italic: style.italic && next.italic, underline: style.underline && next.underline)
        write(" ")
        style = next
    }

    /// A character at the cursor, which moves right (past column 32 a character replaces the last).
    private mutating func write(_ character: Character) {
        let cell = CEA608Screen.Cell(character: character, style: style)
        let (row, column) = (row, min(column, CEA608Screen.columns - 1))
        edit { $0[row, column] = cell }
        self.column = min(self.column + 1, CEA608Screen.columns)
    }

    private mutating func backspace() {
        guard column > 0 else { return }
        column -= 1
        let (row, column) = (row, column)
        edit { $0[row, column] = nil }
    }

    /// Changes the memory being written: the one behind the screen in pop-on, else the one shown.
    private mutating func edit(_ change: (inout CEA608Screen) -> Void) {
        if mode == .popOn {
            change(&nonDisplayed)
        } else {
            change(&displayed)
            displayChanged = true
        }
    }

    /// After the displayed memory changed: the caption shown before ends now and the new one
    /// starts, unless the change joins it (see the type's comment).
    private mutating func settle() {
        displayChanged = false
        let caption = displayed.caption
        guard let current = shown else {
            shown = caption.map { Shown(caption: $0, screen: displayed, start: now) }
            return
        }
        if caption == current.caption {
            shown?.screen = displayed
            return
        }
        let age = now - current.start
        let paints = mode != .popOn && age <= Self.paintingWindow && current.screen.isKept(in: displayed)
        if age >= Self.flicker && !paints { emit(current) }
        let start = age < Self.flicker || paints ? current.start : now
        shown = caption.map { Shown(caption: $0, screen: displayed, start: start) }
    }

    private mutating func emit(_ shown: Shown) {
        guard cues.count < SubtitleReading.maximumCues else { return }
        cues.append(SubtitleCue(start: shown.start, end: now, text: shown.caption.text, settings: shown.caption.settings))
    }
}
