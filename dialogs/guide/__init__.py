"""The guide after the score, in words (issue #15): the person (person.py), the messages (texts.py) and the
answers to guide questions asked anywhere in the chat (answers.py, renderers of dialogs/help).
"""
