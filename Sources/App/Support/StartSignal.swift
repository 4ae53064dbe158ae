/// Opened once start-up work is done (the migrations); services that need the schema wait for it.
actor StartSignal {
    private var isOpen = false

    func open() { isOpen = true }

    /// Returns once open, or when the task is cancelled (a shutdown before start-up finished).
    func wait() async {
        while !isOpen && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
